MATCH (p:RefreshPolicy {name: 'segmentation'})
RETURN p {.schedule, .timezone, .driftThreshold, .run, .updatedAt, .version, .lastRunId, .lastTrigger, .lastTriggeredAt,
          .lastSkipped} AS policy
