// The newest succeeded run, and the run this process was just told about (runCompleted fires before the run is
// marked succeeded): the caller prefers the hinted one while it is not failed and not older than the newest.
OPTIONAL MATCH (h:SegmentRun {id: coalesce($hinted, '')})
WITH h
OPTIONAL MATCH (r:SegmentRun {status: 'succeeded'})
WITH h, r
ORDER BY r.createdAt DESC
LIMIT 1
RETURN r.id AS newestId, r.createdAt AS newestCreatedAt, h.id AS hintedId, h.status AS hintedStatus,
       h.createdAt AS hintedCreatedAt
