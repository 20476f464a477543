// After a run succeeded: documents prepared for any other run (one that failed, or whose process crashed) go.
MATCH (u:User)
WHERE u.affinityNextRunId IS NOT NULL AND u.affinityNextRunId <> $runId
WITH u LIMIT toInteger($limit)
REMOVE u.affinityNext, u.affinityNextRunId
RETURN count(u) AS done
