// Event signals: a like is a state (ev_like, replaced), views accumulate (ev_views); w_events is their sum.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
MATCH (t:Topic {key: row.key})
WHERE NOT EXISTS { (u)-[:REMOVED_INTEREST]->(t) }
WITH u, t, row, datetime(row.at) AS at
MERGE (u)-[r:INTERESTED_IN]->(t)
  ON CREATE SET r.firstSeen = at, r.lastSeen = at
SET r.ev_like = coalesce(row.like, r.ev_like),
    r.ev_views = CASE WHEN row.views > 0 THEN coalesce(r.ev_views, 0) + row.views ELSE r.ev_views END,
    r.firstSeen = CASE WHEN at < r.firstSeen THEN at ELSE r.firstSeen END,
    r.lastSeen = CASE WHEN at > r.lastSeen THEN at ELSE r.lastSeen END
SET r.w_events = coalesce(r.ev_like, 0) + coalesce(r.ev_views, 0)
SET r.weight = coalesce(r.w_crm, 0) + coalesce(r.w_facebook, 0) + coalesce(r.w_events, 0) + coalesce(r.w_purchase, 0),
    r.sources = [s IN ['crm', 'facebook', 'events', 'purchase'] WHERE coalesce(r['w_' + s], 0) > 0]
