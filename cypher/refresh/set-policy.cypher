// The refresh policy (one per database). `version` tells every process's scheduler that it changed.
MERGE (p:RefreshPolicy {name: 'segmentation'})
SET p.schedule = $schedule, p.timezone = $timezone, p.driftThreshold = $driftThreshold, p.run = $run,
    p.updatedAt = datetime(), p.version = coalesce(p.version, 0) + 1
RETURN p {.schedule, .timezone, .driftThreshold, .run, .updatedAt, .version, .lastRunId, .lastTrigger, .lastTriggeredAt,
          .lastSkipped} AS policy
