// One row per consenting user: their topics and weights (the projection maps topic ids to integers on arrival).
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true)
CALL (u) {
  MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE r.weight > 0
  RETURN collect(t.id) AS topics, collect(r.weight) AS weights
}
WITH topics, weights
WHERE size(topics) > 0
RETURN topics, weights
