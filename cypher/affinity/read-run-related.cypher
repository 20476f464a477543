// Co-interest neighbours of the run, both directions: a pair may be stored once.
MATCH (a:Topic)-[r:RELATED]-(b:Topic)
WHERE r.runId = $runId
RETURN a.id AS topicId, b.id AS id, b.name AS name, r.weight AS weight
