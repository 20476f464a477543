// RELATED edges of runs no one will read again, a batch at a time: with $runId, that run's (a failed run's); else every
// run's except $keepRunIds (the visible run and the candidates that can still be published).
MATCH ()-[r:RELATED]->()
WHERE CASE WHEN $runId IS NULL THEN NOT r.runId IN $keepRunIds ELSE r.runId = $runId END
WITH r LIMIT 10000
DELETE r
RETURN count(*) AS deleted
