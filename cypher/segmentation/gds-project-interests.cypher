// GDS engine: consenting users' interests as an in-memory GDS graph, Topic -> User (so node similarity compares topics
// by their users). Each user contributes their $maxTopicsPerUser heaviest interests, like the in-process projection.
// Topics marketers excluded from segmentation ($excluded) are left out.
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true)
CALL (u) {
  MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE r.weight > 0 AND NOT t.id IN $excluded AND NOT coalesce(t.sensitive, false)
  RETURN t
  ORDER BY r.weight DESC, t.id
  LIMIT toInteger($maxTopicsPerUser)
}
WITH gds.graph.project($graph, t, u, {sourceNodeLabels: 'Topic', targetNodeLabels: 'User', relationshipType: 'HAS_USER'})
       AS projection,
     count(DISTINCT u) AS users,
     count(DISTINCT t) AS topics
RETURN users, topics, projection.relationshipCount AS interests
