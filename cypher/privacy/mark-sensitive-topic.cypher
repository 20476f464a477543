MATCH (t:Topic {id: $topicId})
SET t.sensitiveTopic = true, t.sensitive = true, t.sensitiveMarkedAt = coalesce(t.sensitiveMarkedAt, datetime())
RETURN t.id AS id, t.name AS name, t.category AS category, toString(t.sensitiveMarkedAt) AS markedAt
