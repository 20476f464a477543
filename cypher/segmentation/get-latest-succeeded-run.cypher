MATCH (r:SegmentRun {status: 'succeeded'})
RETURN r {.id, .status, .params, .createdAt, .startedAt, .finishedAt, .metrics} AS run
ORDER BY r.createdAt DESC
LIMIT 1
