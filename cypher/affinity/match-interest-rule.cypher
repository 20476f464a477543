// A sensitive topic never selects anyone (the route refuses naming one; this also covers a mark made meanwhile).
MATCH (u:User)-[i:INTERESTED_IN]->(t:Topic {key: $topicKey})
WHERE i.weight >= $minWeight AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true) AND NOT coalesce(t.sensitive, false)
RETURN u.id AS userId
