MATCH (r:SegmentRun)
RETURN r {.id, .status, .params, .createdAt, .startedAt, .finishedAt, .metrics, .error, .phase} AS run
ORDER BY r.createdAt DESC, r.id DESC
SKIP toInteger($skip) LIMIT toInteger($limit)
