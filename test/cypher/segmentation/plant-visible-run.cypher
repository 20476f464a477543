// Test fixture: a succeeded run made by hand (an odd run that passed validation) with coarse segments $segments (their
// topic ids). With $visible it is published: the VisibleRun pointer moves to it and publishedAt is set, as
// complete-run does; without, it is a candidate nobody saw (publishedAt null). `kind` is stored when given.
CREATE (r:SegmentRun {id: $runId, status: 'succeeded', params: '{}', engine: 'graphology', createdAt: datetime(),
                      startedAt: datetime(), finishedAt: datetime(), metrics: $metrics, publish: $visible, kind: $kind,
                      publishedAt: CASE WHEN $visible THEN datetime() ELSE null END})
WITH r
CALL (r) {
  WITH r WHERE $visible
  MERGE (v:VisibleRun {name: 'segmentation'})
  SET v.runId = r.id, v.since = datetime()
}
WITH r
UNWIND $segments AS seg
CREATE (s:Segment {uid: $runId + '/' + seg.id, id: seg.id, runId: $runId, level: 'coarse', label: seg.id, other: false,
                   topicCount: size(seg.topics), userCount: 1, share: seg.share, topTopics: '[]', parentId: null})
CREATE (s)-[:OF_RUN]->(r)
WITH s, seg
UNWIND seg.topics AS topicId
MATCH (t:Topic {id: topicId})
CREATE (t)-[:IN_SEGMENT {runId: s.runId, score: 1.0}]->(s)
