// Benchmark loader only: users with their crm: identity, straight into an empty graph, one batch per transaction.
UNWIND $rows AS row
CREATE (u:User {id: row.id, consentSegmentation: row.consent, createdAt: datetime(), updatedAt: datetime()})
CREATE (:Identity {key: 'crm:' + row.externalId, source: 'crm', externalId: row.externalId})-[:IDENTIFIES]->(u)
WITH u, row
UNWIND row.interests AS i
MATCH (t:Topic {id: i.topic})
CREATE (u)-[:INTERESTED_IN {weight: i.weight, w_crm: i.weight, sources: ['crm'], firstSeen: datetime(i.at), lastSeen: datetime(i.at)}]->(t)
