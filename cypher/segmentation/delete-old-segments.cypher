// Retention: segments (with their IN_SEGMENT edges) of runs other than the visible one, the newest $keep succeeded
// population runs (candidates among them) and the newest $keepAudience audience runs, a batch at a time. Active runs
// (queued, running, being recovered) hold activeSlot and are left alone; SegmentRun nodes stay, so the runs list keeps
// every run's metrics.
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
WITH v.runId AS visibleId
MATCH (r:SegmentRun {status: 'succeeded'})
WITH visibleId, coalesce(r.kind, 'segmentation') AS kind, r ORDER BY r.createdAt DESC
WITH visibleId, kind, collect(r.id) AS ids
WITH visibleId, collect(CASE kind WHEN 'audience' THEN ids[..toInteger($keepAudience)] ELSE ids[..toInteger($keep)] END) AS lists
WITH reduce(acc = [x IN [visibleId] WHERE x IS NOT NULL], l IN lists | acc + l) AS kept
MATCH (s:Segment)-[:OF_RUN]->(run:SegmentRun)
WHERE NOT s.runId IN kept AND run.activeSlot IS NULL
WITH s LIMIT 200
DETACH DELETE s
RETURN count(*) AS deleted
