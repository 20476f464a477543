// The same rows as stream-people, by the address a caller used (identity key or user id; a reload of changed people
// passes their ids); unknown or erased addresses are absent.
UNWIND $refs AS ref
CALL (ref) {
  MATCH (:Identity {key: ref})-[:IDENTIFIES]->(u:User)
  RETURN u
  UNION
  MATCH (u:User {id: ref})
  RETURN u
}
WITH ref, head(collect(u)) AS u
WITH ref, u, coalesce(u.consentSegmentation, true) AS consent
CALL (u, consent) {
  OPTIONAL MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE consent AND r.weight > 0
  RETURN collect(t.id) AS topics, collect(toFloat(r.weight)) AS weights
}
RETURN ref, u.id AS userId,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys,
       consent, topics, weights,
       CASE WHEN consent THEN [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] ELSE [] END AS removed
