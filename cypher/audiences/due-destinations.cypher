// Destinations with something to send now: their pending delivery is due, or they have queued events and no pending
// delivery (a destination's deliveries go one at a time, in order). `pending`/`dueAt` live on the destination so this
// poll reads a few nodes, not the delivery log.
MATCH (d:Destination)
WHERE (d.pending IS NOT NULL AND d.dueAt <= datetime())
   OR (d.pending IS NULL AND EXISTS { MATCH (e:OutboxEvent) WHERE e.destinationId = d.id AND e.queuedAt IS NOT NULL })
RETURN d.id AS id, d.audienceId AS audienceId, d.url AS url, d.secret AS secret, d.pending AS deliveryId,
       COLLECT { MATCH (dl:Delivery {id: d.pending}) RETURN dl.attempts }[0] AS attempts
ORDER BY d.dueAt
LIMIT toInteger($limit)
