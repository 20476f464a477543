// After a full recompute: users not recomputed (no interest left, consent withdrawn) lose what an older run gave them.
MATCH (u:User)
WHERE u.affinityRunId IS NOT NULL AND u.affinityRunId <> $runId
WITH u LIMIT toInteger($limit)
CALL (u) {
  MATCH (u)-[a:AFFINITY]->()
  DELETE a
}
REMOVE u.affinity, u.affinityRunId
RETURN count(u) AS cleared
