// Every consenting user with at least one interest, one row per user (pattern comprehensions stream lazily).
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true) AND EXISTS { (u)-[:INTERESTED_IN]->(:Topic) }
RETURN u.id AS userId,
       [(u)-[i:INTERESTED_IN]->(t:Topic) WHERE i.weight > 0 | {topicId: t.id, name: t.name, weight: toFloat(i.weight)}] AS interests,
       [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] AS removed
