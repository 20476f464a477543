// Users consenting to segmentation and marketing with a purchase matching every given condition (topic = the purchase category, sku, recency).
// Purchases filed under a sensitive topic never count, also when the rule names only a SKU.
MATCH (u:User)-[x:PURCHASED]->(t:Topic)
WHERE ($topicKey IS NULL OR t.key = $topicKey)
  AND ($sku IS NULL OR x.sku = $sku)
  AND ($days IS NULL OR x.at >= datetime() - duration({days: toInteger($days)}))
  AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)
  AND NOT coalesce(t.sensitive, false)
RETURN DISTINCT u.id AS userId
