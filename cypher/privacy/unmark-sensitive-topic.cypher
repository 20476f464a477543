// The topic stays sensitive when its category is marked.
MATCH (t:Topic {id: $topicId})
WHERE t.sensitiveTopic
SET t.sensitiveTopic = false, t.sensitive = coalesce(t.sensitiveCategory, false)
REMOVE t.sensitiveMarkedAt
RETURN t.id AS id
