// Benchmark and test loader only: users straight into the graph, one UNWIND batch per transaction.
UNWIND $rows AS row
CREATE (u:User {id: row.id, consentSegmentation: row.consent})
WITH u, row
UNWIND row.interests AS i
MATCH (t:Topic {id: i.topic})
CREATE (u)-[:INTERESTED_IN {weight: i.weight, w_crm: i.weight, sources: ['crm']}]->(t)
