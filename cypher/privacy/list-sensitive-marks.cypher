// What an admin marked: categories, then topics marked on their own, each by name.
CALL () {
  MATCH (c:SensitiveCategory)
  RETURN 'category' AS kind, null AS id, c.name AS name, c.key AS key, null AS category, toString(c.markedAt) AS markedAt
  UNION ALL
  MATCH (t:Topic)
  WHERE t.sensitiveTopic
  RETURN 'topic' AS kind, t.id AS id, t.name AS name, t.key AS key, t.category AS category, toString(t.sensitiveMarkedAt) AS markedAt
}
RETURN kind, id, name, key, category, markedAt
ORDER BY kind, key, id
SKIP toInteger($skip) LIMIT toInteger($limit)
