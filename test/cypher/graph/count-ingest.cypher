// Test helper: what ingestion wrote for one test's id prefix.
CALL () { MATCH (t:Topic) WHERE t.key STARTS WITH $prefix RETURN count(t) AS topics }
CALL () { MATCH (i:Identity) WHERE i.externalId STARTS WITH $prefix RETURN count(i) AS identities }
CALL () {
  MATCH (i:Identity)-[:IDENTIFIES]->(:User)-[p:PURCHASED]->() WHERE i.externalId STARTS WITH $prefix
  RETURN count(p) AS purchases
}
RETURN topics, identities, purchases
