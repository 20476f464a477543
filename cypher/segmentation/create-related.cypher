// One row per topic with its strongest co-interest neighbours.
UNWIND $rows AS row
MATCH (a:Topic {id: row.from})
UNWIND row.to AS x
MATCH (b:Topic {id: x.id})
CREATE (a)-[:RELATED {runId: $runId, weight: x.weight}]->(b)
