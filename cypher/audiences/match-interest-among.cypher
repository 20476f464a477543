// match-interest-rule (cypher/affinity) restricted to the given people.
UNWIND $userIds AS id
MATCH (u:User {id: id})-[i:INTERESTED_IN]->(:Topic {key: $topicKey})
WHERE i.weight >= $minWeight AND coalesce(u.consentSegmentation, true)
RETURN u.id AS userId
