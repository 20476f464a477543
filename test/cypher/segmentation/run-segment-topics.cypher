// Test helper: the coarse segments of a run with their topic ids.
MATCH (s:Segment {runId: $runId, level: 'coarse'})
OPTIONAL MATCH (t:Topic)-[:IN_SEGMENT]->(s)
RETURN s.id AS id, coalesce(s.other, false) AS other, collect(t.id) AS topics
ORDER BY id
