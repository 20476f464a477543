// Cleanup of a failed or crashed run (its segments were never visible: readers only see succeeded runs), a batch of
// segments (with their IN_SEGMENT edges) at a time.
MATCH (s:Segment {runId: $runId})
WITH s LIMIT 200
DETACH DELETE s
RETURN count(*) AS deleted
