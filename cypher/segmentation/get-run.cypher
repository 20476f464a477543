MATCH (r:SegmentRun {id: $id})
RETURN r {.id, .status, .params, .createdAt, .startedAt, .finishedAt, .metrics, .error, .phase} AS run
