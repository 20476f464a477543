MATCH (u:User)-[i:INTERESTED_IN]->(:Topic {key: $topicKey})
WHERE i.weight >= $minWeight AND coalesce(u.consentSegmentation, true)
RETURN u.id AS userId
