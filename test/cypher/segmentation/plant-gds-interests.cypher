// Test data for test/gds.int.test.ts only: topics (named after their id, so the app can show them), then users with
// their interests (on the test's own database).
UNWIND $topics AS topicId
MERGE (t:Topic {id: topicId})
SET t.key = topicId, t.name = topicId
WITH count(*) AS topics
UNWIND $users AS user
CREATE (u:User {id: user.id, consentSegmentation: user.consent})
WITH u, user
UNWIND range(0, size(user.topics) - 1) AS i
MATCH (t:Topic {id: user.topics[i]})
CREATE (u)-[:INTERESTED_IN {weight: user.weights[i]}]->(t)
RETURN count(*) AS interests
