// Every topic of a run's coarse segments, with its segment and centrality: the nodes of the topic graph.
MATCH (s:Segment {runId: $runId, level: 'coarse'})<-[i:IN_SEGMENT]-(t:Topic)
RETURN t.id AS id, t.name AS name, t.category AS category, s.id AS segmentId, i.score AS score
ORDER BY s.id, i.score DESC, t.id
