// A full recompute prepares the new run's segment of one beside the visible one: `affinityNext` and AFFINITY edges
// to the new run's segments. Readers ignore both until the run's status is `succeeded`. Erased users no longer
// match; users who withdrew consent since they were streamed get the empty document and no edges.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
WITH u, row, coalesce(u.consentSegmentation, true) AS consent
CALL (u) {
  MATCH (u)-[old:AFFINITY {runId: $runId}]->()
  DELETE old
}
SET u.affinityNext = CASE WHEN consent THEN row.doc ELSE $emptyDoc END, u.affinityNextRunId = $runId
WITH u, row, consent
WHERE consent
UNWIND row.segments AS seg
MATCH (s:Segment {uid: $runId + '/' + seg.segmentId})
CREATE (u)-[:AFFINITY {runId: $runId, affinity: seg.affinity, lift: seg.lift, topics: seg.topics}]->(s)
