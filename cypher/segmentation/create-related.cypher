// One row per topic with its strongest co-interest neighbours.
UNWIND $rows AS row
MATCH (a:Topic {id: row.from})
WHERE NOT coalesce(a.sensitive, false)
UNWIND row.to AS x
MATCH (b:Topic {id: x.id})
WHERE NOT coalesce(b.sensitive, false)
CREATE (a)-[:RELATED {runId: $runId, weight: x.weight}]->(b)
