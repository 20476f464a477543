// A destination's delivery log, newest first.
MATCH (dl:Delivery)
WHERE dl.destinationId = $destinationId AND dl.createdAt IS NOT NULL
WITH dl ORDER BY dl.createdAt DESC, dl.id SKIP toInteger($offset) LIMIT toInteger($limit)
RETURN dl.id AS id, dl.state AS state, dl.attempts AS attempts, dl.eventCount AS events, coalesce(dl.sent, 0) AS sent,
       coalesce(dl.dropped, 0) AS dropped, dl.lastStatus AS lastStatus, dl.lastError AS lastError,
       toString(dl.createdAt) AS createdAt, toString(dl.lastAttemptAt) AS lastAttemptAt,
       toString(dl.nextAttemptAt) AS nextAttemptAt, toString(dl.deliveredAt) AS deliveredAt
