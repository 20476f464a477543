// Co-interest links between two of the person's topics that no one else holds both of: the person alone made them.
// (Links of topics only the person held go with those topics.)
MATCH (u:User {id: $userId})-[:INTERESTED_IN]->(a:Topic)-[r:RELATED]->(b:Topic)<-[:INTERESTED_IN]-(u)
WHERE NOT a.id IN $exclusive AND NOT b.id IN $exclusive
  AND NOT EXISTS { MATCH (a)<-[:INTERESTED_IN]-(o:User)-[:INTERESTED_IN]->(b) WHERE o <> u }
WITH a, b, r
DELETE r
RETURN a.id AS a, b.id AS b
