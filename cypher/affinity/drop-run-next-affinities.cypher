// A failed run: its prepared documents go (readers never served them: the run never succeeded).
MATCH (u:User)
WHERE u.affinityNextRunId = $runId
WITH u LIMIT toInteger($limit)
REMOVE u.affinityNext, u.affinityNextRunId
RETURN count(u) AS done
