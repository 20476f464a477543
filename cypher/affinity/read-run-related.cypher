// Co-interest neighbours of the run, each stored edge once with both ends' names: the model adds both directions.
MATCH (a:Topic)-[r:RELATED]->(b:Topic)
WHERE r.runId = $runId
RETURN a.id AS fromId, a.name AS fromName, b.id AS toId, b.name AS toName, r.weight AS weight
