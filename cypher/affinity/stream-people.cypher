// Everyone, for the API process's in-memory copy: identity keys, consent, and (only with consent) interests with
// positive weight (with, per interest, [lastSeen ms, w_crm, w_facebook, w_events, w_purchase] for time decay) and the
// topics the person removed. Sensitive topics are never held (docs/security.md). Interests of people without consent are not read at all.
MATCH (u:User)
WITH u, coalesce(u.consentSegmentation, true) AS consent
CALL (u, consent) {
  OPTIONAL MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE consent AND r.weight > 0 AND NOT coalesce(t.sensitive, false)
  RETURN collect(t.id) AS topics, collect(toFloat(r.weight)) AS weights,
         collect(CASE WHEN r IS NOT NULL THEN [r.lastSeen.epochMillis, toFloat(coalesce(r.w_crm, 0)),
                 toFloat(coalesce(r.w_facebook, 0)), toFloat(coalesce(r.w_events, 0)), toFloat(coalesce(r.w_purchase, 0))] END) AS decay
}
RETURN u.id AS userId,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys,
       consent, topics, weights, decay,
       coalesce(u.consentPersonalization, true) AS personalization, coalesce(u.consentMarketing, true) AS marketing,
       CASE WHEN consent THEN [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] ELSE [] END AS removed
