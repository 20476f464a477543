// $prop is the source's weight property (w_crm, w_facebook): set, not added, so re-importing changes nothing.
// Times come from the record; only an interest without one falls back to $now, and only when the edge is new.
// Topics are looked up once per batch ($topicKeys; it.ti is a position in it), as in create-profiles.
UNWIND range(0, size($topicKeys) - 1) AS ti
OPTIONAL MATCH (t:Topic {key: $topicKeys[ti]})
WITH ti, t ORDER BY ti
WITH collect([t]) AS topics
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
UNWIND row.interests AS it
WITH u, it, topics[toInteger(it.ti)][0] AS t
WHERE t IS NOT NULL AND NOT EXISTS { (u)-[:REMOVED_INTEREST]->(t) }
WITH u, t, it, datetime(it.at) AS at
MERGE (u)-[r:INTERESTED_IN]->(t)
  ON CREATE SET r.firstSeen = coalesce(at, datetime($now)), r.lastSeen = coalesce(at, datetime($now))
SET r[$prop] = it.w,
    r.firstSeen = CASE WHEN at < r.firstSeen THEN at ELSE r.firstSeen END,
    r.lastSeen = CASE WHEN at > r.lastSeen THEN at ELSE r.lastSeen END
SET r.weight = coalesce(r.w_crm, 0) + coalesce(r.w_facebook, 0) + coalesce(r.w_events, 0) + coalesce(r.w_purchase, 0),
    r.sources = [s IN ['crm', 'facebook', 'events', 'purchase'] WHERE coalesce(r['w_' + s], 0) > 0]
