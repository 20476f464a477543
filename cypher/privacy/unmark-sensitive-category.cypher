// Unmarks a category: its topics stay sensitive only when marked on their own.
MATCH (c:SensitiveCategory {key: $key})
CALL (c) {
  MATCH (t:Topic)
  WHERE t.category IN $categories AND t.sensitiveCategory
  SET t.sensitiveCategory = false, t.sensitive = coalesce(t.sensitiveTopic, false)
  RETURN collect(t.id) AS topicIds
}
DELETE c
RETURN topicIds
