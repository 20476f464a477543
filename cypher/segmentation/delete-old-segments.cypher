// Retention: segments (with their IN_SEGMENT edges) of runs other than the newest $keep succeeded ones, a batch at a
// time. Active runs (queued, running, being recovered) hold activeSlot and are left alone; SegmentRun nodes stay, so
// the runs list keeps every run's metrics.
MATCH (r:SegmentRun {status: 'succeeded'})
WITH r ORDER BY r.createdAt DESC LIMIT toInteger($keep)
WITH collect(r.id) AS kept
MATCH (s:Segment)-[:OF_RUN]->(run:SegmentRun)
WHERE NOT s.runId IN kept AND run.activeSlot IS NULL
WITH s LIMIT 200
DETACH DELETE s
RETURN count(*) AS deleted
