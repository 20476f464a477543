// An incremental update: the visible run's document and AFFINITY edges ($runId), and the prepared run's ($nextRunId)
// for rows that carry `next`. $keepRunId: a run whose documents are being written right now by a full recompute;
// its document and edges stay (the recompute writes them, then recomputes these users again). Any other prepared
// document goes (a failed run's, or the visible run's own once written here). Edges of other runs go too.
// Erased users no longer match; without consent (checked now, not when read) the document is empty, no edges.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
WITH u, row, coalesce(u.consentSegmentation, true) AS consent, u.affinityNextRunId AS prevNext
CALL (u) {
  MATCH (u)-[old:AFFINITY]->()
  WHERE $keepRunId IS NULL OR old.runId <> $keepRunId
  DELETE old
}
WITH u, row, consent, row.next IS NULL AND $keepRunId IS NOT NULL AND prevNext = $keepRunId AS keep
SET u.affinity = CASE WHEN $runId IS NULL THEN null WHEN consent THEN row.doc ELSE $emptyDoc END,
    u.affinityRunId = $runId,
    u.affinityNext = CASE WHEN row.next IS NOT NULL THEN (CASE WHEN consent THEN row.next.doc ELSE $emptyNextDoc END)
                          WHEN keep THEN u.affinityNext END,
    u.affinityNextRunId = CASE WHEN row.next IS NOT NULL THEN $nextRunId WHEN keep THEN $keepRunId END
WITH u, row, consent
WHERE consent
CALL (u, row) {
  UNWIND row.segments AS seg
  MATCH (s:Segment {uid: $runId + '/' + seg.segmentId})
  CREATE (u)-[:AFFINITY {runId: $runId, affinity: seg.affinity, lift: seg.lift, topics: seg.topics}]->(s)
}
CALL (u, row) {
  UNWIND coalesce(row.next.segments, []) AS seg
  MATCH (s:Segment {uid: $nextRunId + '/' + seg.segmentId})
  CREATE (u)-[:AFFINITY {runId: $nextRunId, affinity: seg.affinity, lift: seg.lift, topics: seg.topics}]->(s)
}
