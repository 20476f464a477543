// A source's snapshot replaces its earlier one: interests it no longer lists lose that source's weight.
UNWIND $rows AS row
MATCH (:User {id: row.userId})-[r:INTERESTED_IN]->(t:Topic)
WHERE r[$prop] IS NOT NULL AND NOT t.key IN row.keys
SET r[$prop] = null
SET r.weight = coalesce(r.w_crm, 0) + coalesce(r.w_facebook, 0) + coalesce(r.w_events, 0) + coalesce(r.w_purchase, 0),
    r.sources = [s IN ['crm', 'facebook', 'events', 'purchase'] WHERE coalesce(r['w_' + s], 0) > 0]
WITH r
WHERE r.weight <= 0
DELETE r
