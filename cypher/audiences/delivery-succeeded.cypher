// The receiver took the delivery (2xx): its events leave the outbox, the destination moves on to the next one, and a
// delivery that carried members counts as an export of the audience (the outcome report's clock).
MATCH (dl:Delivery {id: $id})
SET dl.state = 'delivered', dl.attempts = dl.attempts + $attempted, dl.lastStatus = $status, dl.lastError = null,
    dl.deliveredAt = datetime(), dl.sent = $sent, dl.dropped = coalesce(dl.dropped, 0) + $dropped
WITH dl
CALL (dl) {
  MATCH (e:OutboxEvent {deliveryId: dl.id})
  DELETE e
  RETURN count(*) AS removed
}
OPTIONAL MATCH (d:Destination {id: dl.destinationId})
SET d.pending = null, d.dueAt = null
WITH dl
OPTIONAL MATCH (a:SavedAudience {id: dl.audienceId})
WHERE $entered > 0
SET a.firstExportedAt = coalesce(a.firstExportedAt, datetime()), a.lastExportedAt = datetime(),
    a.exportCount = a.exportCount + 1
RETURN dl.id AS id
