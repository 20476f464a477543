// The next delivery of a destination: its oldest queued events (at most $limit), taken off the queue. Its id is the
// idempotency key of every attempt.
MATCH (d:Destination {id: $destinationId})
WHERE d.pending IS NULL
CALL (d) {
  MATCH (e:OutboxEvent)
  WHERE e.destinationId = d.id AND e.queuedAt IS NOT NULL
  WITH e ORDER BY e.queuedAt, e.id LIMIT toInteger($limit)
  RETURN collect(e) AS events
}
WITH d, events
WHERE size(events) > 0
CREATE (dl:Delivery {id: $deliveryId, destinationId: d.id, audienceId: d.audienceId, state: 'pending', attempts: 0,
                     eventCount: size(events), createdAt: datetime(), nextAttemptAt: datetime()})
SET d.pending = dl.id, d.dueAt = dl.nextAttemptAt
FOREACH (e IN events | SET e.deliveryId = dl.id REMOVE e.queuedAt)
RETURN dl.id AS id
