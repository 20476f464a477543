// Retention: segments (with their IN_SEGMENT edges) of runs other than the visible one and the newest $keep succeeded
// ones (candidates among them), a batch at a time. Active runs (queued, running, being recovered) hold activeSlot and
// are left alone; SegmentRun nodes stay, so the runs list keeps every run's metrics.
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
WITH v.runId AS visibleId
MATCH (r:SegmentRun {status: 'succeeded'})
WITH visibleId, r ORDER BY r.createdAt DESC LIMIT toInteger($keep)
WITH visibleId, collect(r.id) AS newest
WITH newest + [x IN [visibleId] WHERE x IS NOT NULL] AS kept
MATCH (s:Segment)-[:OF_RUN]->(run:SegmentRun)
WHERE NOT s.runId IN kept AND run.activeSlot IS NULL
WITH s LIMIT 200
DETACH DELETE s
RETURN count(*) AS deleted
