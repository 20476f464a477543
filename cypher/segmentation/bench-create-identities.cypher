// Benchmark loader only (with --affinity): the CRM identity of each user, as ingestion would write it.
UNWIND $rows AS row
MATCH (u:User {id: row.id})
CREATE (:Identity {key: 'crm:' + row.externalId, source: 'crm', externalId: row.externalId})-[:IDENTIFIES]->(u)
