UNWIND $rows AS row
MATCH (:User {id: row.userId})-[r:INTERESTED_IN]->(:Topic {key: row.key})
WHERE r.ev_like IS NOT NULL
SET r.ev_like = null
SET r.w_events = CASE WHEN coalesce(r.ev_views, 0) > 0 THEN r.ev_views ELSE null END
SET r.weight = coalesce(r.w_crm, 0) + coalesce(r.w_facebook, 0) + coalesce(r.w_events, 0) + coalesce(r.w_purchase, 0),
    r.sources = [s IN ['crm', 'facebook', 'events', 'purchase'] WHERE coalesce(r['w_' + s], 0) > 0]
WITH r
WHERE r.weight <= 0
DELETE r
