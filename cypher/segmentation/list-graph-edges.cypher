// The run's co-interest neighbours (each topic's strongest links): the edges of the topic graph.
MATCH (a:Topic)-[r:RELATED {runId: $runId}]->(b:Topic)
RETURN a.id AS source, b.id AS target, r.weight AS weight
