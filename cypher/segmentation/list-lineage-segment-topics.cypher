// The runs that were visible before $runId (the visible one), newest visibility first, with their segments' topics:
// stable ids one odd run lost are found again here. Only runs that were published through the VisibleRun pointer
// (publishedAt set by complete-run or publish-run) count, never a candidate nobody saw, nor a run of another kind
// (an audience's own segmentation, when such runs exist, is never visible). Runs whose segments retention dropped give none.
MATCH (r:SegmentRun {status: 'succeeded'})
WHERE r.id <> $runId AND r.publishedAt IS NOT NULL AND coalesce(r.kind, 'segmentation') = 'segmentation'
WITH r ORDER BY r.publishedAt DESC LIMIT toInteger($limit)
MATCH (s:Segment {runId: r.id})
OPTIONAL MATCH (t:Topic)-[:IN_SEGMENT]->(s)
WITH r, s, collect(t.id) AS topics
RETURN r.id AS runId, s.id AS id, s.level AS level, coalesce(s.other, false) AS other, topics
ORDER BY r.publishedAt DESC, id
