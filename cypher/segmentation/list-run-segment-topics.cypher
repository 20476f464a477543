MATCH (s:Segment {runId: $runId})
OPTIONAL MATCH (t:Topic)-[:IN_SEGMENT]->(s)
RETURN s.id AS id, s.level AS level, coalesce(s.other, false) AS other, collect(t.id) AS topics
