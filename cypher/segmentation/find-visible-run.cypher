// The run readers see: the newest succeeded one (a running run's data is prepared beside it, never instead of it).
MATCH (r:SegmentRun {status: 'succeeded'})
RETURN r.id AS runId
ORDER BY r.createdAt DESC
LIMIT 1
