// The marker keeps later imports, events and logins from re-adding what the person removed.
MATCH (u:User {id: $userId})-[r:INTERESTED_IN]->(t:Topic {id: $topicId})
DELETE r
MERGE (u)-[m:REMOVED_INTEREST]->(t)
  ON CREATE SET m.at = datetime()
SET u.updatedAt = datetime()
RETURN t.id AS topicId
