// match-purchase-rule (cypher/affinity) restricted to the given people: the evaluator's check of people who changed.
UNWIND $userIds AS id
MATCH (u:User {id: id})-[x:PURCHASED]->(t:Topic)
WHERE ($topicKey IS NULL OR t.key = $topicKey)
  AND ($sku IS NULL OR x.sku = $sku)
  AND ($days IS NULL OR x.at >= datetime() - duration({days: toInteger($days)}))
  AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)
  AND NOT coalesce(t.sensitive, false)
RETURN DISTINCT u.id AS userId
