// Topics stay: they are shared by everyone. Everything hanging off the user goes with it.
MATCH (u:User {id: $userId})
CALL (u) {
  MATCH (i:Identity)-[:IDENTIFIES]->(u)
  DETACH DELETE i
}
DETACH DELETE u
RETURN count(*) AS erased
