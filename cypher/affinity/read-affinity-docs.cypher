// Resolves each address (identity key or own id) and returns the precomputed segment of one.
UNWIND $refs AS ref
CALL (ref) {
  MATCH (:Identity {key: ref})-[:IDENTIFIES]->(u:User)
  RETURN u
  UNION
  MATCH (u:User {id: ref})
  RETURN u
}
WITH ref, head(collect(u)) AS u
RETURN ref, u.id AS userId, u.affinity AS doc
