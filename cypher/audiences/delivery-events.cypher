// A delivery's events as they are sent now: whether each may still go (its person exists and consents; segment
// events have no person), the person's addresses, the audience's name.
MATCH (e:OutboxEvent)
WHERE e.deliveryId = $deliveryId
OPTIONAL MATCH (u:User {id: e.userId})
OPTIONAL MATCH (a:SavedAudience {id: e.audienceId})
RETURN e.id AS id, e.type AS type, toString(e.at) AS at, e.audienceId AS audienceId, a.name AS audienceName,
       e.userId AS userId, e.data AS data,
       e.userId IS NULL OR (u IS NOT NULL AND coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)) AS deliverable,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
ORDER BY e.at, e.id
