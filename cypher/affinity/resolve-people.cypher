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
  WHERE consent AND r.weight > 0 AND NOT coalesce(t.sensitive, false)
  RETURN collect(t.id) AS topics, collect(toFloat(r.weight)) AS weights,
         collect(CASE WHEN r IS NOT NULL THEN [r.lastSeen.epochMillis, toFloat(coalesce(r.w_crm, 0)),
                 toFloat(coalesce(r.w_facebook, 0)), toFloat(coalesce(r.w_events, 0)), toFloat(coalesce(r.w_purchase, 0))] END) AS decay
}
RETURN ref, u.id AS userId,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys,
       consent, topics, weights, decay,
       coalesce(u.consentPersonalization, true) AS personalization, coalesce(u.consentMarketing, true) AS marketing,
       CASE WHEN consent THEN [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] ELSE [] END AS removed
