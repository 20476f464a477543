MATCH (:User {id: $userId})-[r:INTERESTED_IN]->(t:Topic)
RETURN t.id AS topicId, t.name AS name, t.category AS category, r.weight AS weight, r.sources AS sources,
       r.firstSeen AS firstSeen, r.lastSeen AS lastSeen,
       coalesce(t.sensitive, false) AS sensitive
ORDER BY r.weight DESC, t.name
