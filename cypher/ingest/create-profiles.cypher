// Fast path for people seen for the first time (no identity, no user with their email hash): plain CREATEs, no
// MERGE checks and no read-after-write (no Eager). A concurrent creator of the same identity makes the unique
// constraint fail the transaction, and the batch is retried on the MERGE path.
// The batch's topics are looked up once ($topicKeys, in order) and each interest points into that list (it.ti):
// an index seek per interest edge was a third of the statement's time. OPTIONAL MATCH + collect([t]) keep the
// positions even if a topic were missing (its edges are then skipped, as a MATCH would).
UNWIND range(0, size($topicKeys) - 1) AS ti
OPTIONAL MATCH (t:Topic {key: $topicKeys[ti]})
WITH ti, t ORDER BY ti
WITH collect([t]) AS topics
UNWIND $rows AS row
CREATE (i:Identity {key: row.key, source: row.source, externalId: row.externalId})
CREATE (u:User {id: row.newId, name: row.name, emailHash: row.emailHash, consentSegmentation: coalesce(row.consent, true),
                consentPersonalization: row.consentPersonalization, consentMarketing: row.consentMarketing,
                createdAt: datetime($now), updatedAt: datetime($now)})
CREATE (i)-[:IDENTIFIES]->(u)
WITH u, row, topics
UNWIND row.interests AS it
WITH u, it, topics[toInteger(it.ti)][0] AS t, datetime(coalesce(it.at, $now)) AS at
WHERE t IS NOT NULL
CREATE (u)-[r:INTERESTED_IN {weight: it.w, sources: $sources, firstSeen: at, lastSeen: at}]->(t)
SET r[$prop] = it.w
