// match-interest-rule (cypher/affinity) restricted to the given people.
UNWIND $userIds AS id
MATCH (u:User {id: id})-[i:INTERESTED_IN]->(t:Topic {key: $topicKey})
WHERE i.weight >= $minWeight AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)
  AND NOT coalesce(t.sensitive, false)
RETURN u.id AS userId
