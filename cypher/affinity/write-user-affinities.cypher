// Replaces each user's segment of one: the compact JSON document the read path serves, and one AFFINITY edge per
// coarse segment (what audiences query).
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
CALL (u) {
  MATCH (u)-[old:AFFINITY]->()
  DELETE old
}
SET u.affinity = row.doc, u.affinityRunId = $runId
WITH u, row
UNWIND row.segments AS seg
MATCH (s:Segment {uid: $runId + '/' + seg.segmentId})
CREATE (u)-[:AFFINITY {runId: $runId, affinity: seg.affinity, lift: seg.lift, topics: seg.topics}]->(s)
