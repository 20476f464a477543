// Cleanup of a failed run (its segments were never visible: readers only see succeeded runs).
MATCH (s:Segment {runId: $runId})
DETACH DELETE s
