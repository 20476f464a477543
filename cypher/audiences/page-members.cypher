// Current members outside the holdout (what exports and destinations get), by user id after the cursor; people
// without consent are flagged (left out of the page by the caller; they leave at the next evaluation).
MATCH (m:Membership)
WHERE m.audienceId = $id AND m.userId > $after AND m.exitedAt IS NULL AND NOT m.holdout
WITH m ORDER BY m.userId LIMIT toInteger($limit)
OPTIONAL MATCH (u:User {id: m.userId})
RETURN m.userId AS userId, toString(m.enteredAt) AS enteredAt,
       u IS NOT NULL AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true) AS consent,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
