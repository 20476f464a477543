// Purchases are facts keyed per user (sku+time, or the event id); their interest weight is recomputed from all of
// the user's purchases in that topic, so replaying one adds nothing.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
UNWIND row.purchases AS p
MATCH (t:Topic {key: p.topicKey})
MERGE (u)-[x:PURCHASED {key: p.key}]->(t)
  ON CREATE SET x.sku = p.sku, x.amount = p.amount, x.weight = p.weight, x.at = coalesce(datetime(p.at), datetime($now))
WITH DISTINCT u, t
WHERE NOT EXISTS { (u)-[:REMOVED_INTEREST]->(t) }
CALL (u, t) {
  MATCH (u)-[x:PURCHASED]->(t)
  RETURN sum(coalesce(x.weight, 1)) AS wp, min(x.at) AS first, max(x.at) AS last
}
MERGE (u)-[r:INTERESTED_IN]->(t)
  ON CREATE SET r.firstSeen = first, r.lastSeen = last
SET r.w_purchase = wp,
    r.firstSeen = CASE WHEN first < r.firstSeen THEN first ELSE r.firstSeen END,
    r.lastSeen = CASE WHEN last > r.lastSeen THEN last ELSE r.lastSeen END
SET r.weight = coalesce(r.w_crm, 0) + coalesce(r.w_facebook, 0) + coalesce(r.w_events, 0) + coalesce(r.w_purchase, 0),
    r.sources = [s IN ['crm', 'facebook', 'events', 'purchase'] WHERE coalesce(r['w_' + s], 0) > 0]
