// After the run turned `succeeded` (readers already serve `affinityNext` of a succeeded run): move the prepared
// document into place and drop older runs' AFFINITY edges, a bounded batch per transaction.
MATCH (u:User)
WHERE u.affinityNextRunId = $runId
WITH u LIMIT toInteger($limit)
CALL (u) {
  MATCH (u)-[old:AFFINITY]->()
  WHERE old.runId <> $runId
  DELETE old
}
SET u.affinity = u.affinityNext, u.affinityRunId = $runId
REMOVE u.affinityNext, u.affinityNextRunId
RETURN count(u) AS done
