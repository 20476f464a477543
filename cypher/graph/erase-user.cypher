// Topics stay: they are shared by everyone. Everything hanging off the user goes with it, and so does every session
// signed in as them (whichever browser or device holds its cookie).
MATCH (u:User {id: $userId})
CALL (u) {
  MATCH (i:Identity)-[:IDENTIFIES]->(u)
  DETACH DELETE i
}
CALL (u) {
  MATCH (s:Session {userId: u.id})
  DELETE s
}
DETACH DELETE u
RETURN count(*) AS erased
