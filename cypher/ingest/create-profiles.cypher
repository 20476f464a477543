// Fast path for people seen for the first time (no identity, no user with their email hash): plain CREATEs, no
// MERGE checks and no read-after-write (no Eager). A concurrent creator of the same identity makes the unique
// constraint fail the transaction, and the batch is retried on the MERGE path.
UNWIND $rows AS row
CREATE (i:Identity {key: row.key, source: row.source, externalId: row.externalId})
CREATE (u:User {id: row.newId, name: row.name, emailHash: row.emailHash, consentSegmentation: coalesce(row.consent, true),
                createdAt: datetime($now), updatedAt: datetime($now)})
CREATE (i)-[:IDENTIFIES]->(u)
WITH u, row
UNWIND row.interests AS it
MATCH (t:Topic {key: it.key})
CREATE (u)-[r:INTERESTED_IN]->(t)
SET r[$prop] = it.w,
    r.weight = it.w,
    r.sources = $sources,
    r.firstSeen = datetime(coalesce(it.at, $now)),
    r.lastSeen = datetime(coalesce(it.at, $now))
