// Topics no one but this person holds (interest, purchase or a removal marker): they go with the person.
MATCH (u:User {id: $userId})-[:INTERESTED_IN|PURCHASED|REMOVED_INTEREST]->(t:Topic)
WITH DISTINCT u, t
WHERE NOT EXISTS { MATCH (t)<-[:INTERESTED_IN|PURCHASED|REMOVED_INTEREST]-(o:User) WHERE o <> u }
RETURN t.id AS topicId
