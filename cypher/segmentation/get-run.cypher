MATCH (r:SegmentRun {id: $id})
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
RETURN r {.id, .status, .params, .createdAt, .startedAt, .finishedAt, .metrics, .error, .phase, .publish, .publishedAt,
          .basedOn, .trigger, .audience, kind: coalesce(r.kind, 'segmentation'), visible: v.runId = r.id} AS run
