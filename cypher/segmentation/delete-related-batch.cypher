// RELATED describes the newest run only: drop other runs' edges (or a failed run's), a batch at a time.
MATCH ()-[r:RELATED]->()
WHERE ($keepRunId IS NOT NULL AND r.runId <> $keepRunId) OR r.runId = $runId
WITH r LIMIT 10000
DELETE r
RETURN count(*) AS deleted
