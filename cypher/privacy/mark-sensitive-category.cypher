// Marks a category sensitive and every topic filed under it ($categories: the spellings whose key is $key). Topics
// created later in it are marked by ingest/merge-topics.
MERGE (c:SensitiveCategory {key: $key})
  ON CREATE SET c.name = $name, c.markedAt = datetime()
WITH c
CALL (c) {
  MATCH (t:Topic)
  WHERE t.category IN $categories
  SET t.sensitiveCategory = true, t.sensitive = true
  RETURN collect(t.id) AS topicIds
}
RETURN c.key AS key, c.name AS name, toString(c.markedAt) AS markedAt, topicIds
