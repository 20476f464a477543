// Every topic of a run's coarse segments, with its segment (a group's head for its members) and centrality: the nodes
// of the topic graph.
MATCH (s:Segment {runId: $runId, level: 'coarse'})<-[i:IN_SEGMENT]-(t:Topic)
RETURN t.id AS id, t.name AS name, t.category AS category, coalesce(s.mergedInto, s.id) AS segmentId, i.score AS score
ORDER BY segmentId, i.score DESC, t.id
