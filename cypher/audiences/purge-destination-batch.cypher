// One bounded batch of what a deleted destination left: queued events, deliveries and their events.
CALL () {
  MATCH (e:OutboxEvent)
  WHERE e.destinationId = $id AND e.queuedAt IS NOT NULL
  WITH e LIMIT toInteger($limit)
  DELETE e
  RETURN count(*) AS queued
}
CALL () {
  MATCH (dl:Delivery)
  WHERE dl.destinationId = $id AND dl.createdAt IS NOT NULL
  WITH dl LIMIT 100
  CALL (dl) {
    MATCH (e:OutboxEvent {deliveryId: dl.id})
    DELETE e
    RETURN count(*) AS events
  }
  DELETE dl
  RETURN count(*) + sum(events) AS deliveries
}
RETURN queued + deliveries AS done
