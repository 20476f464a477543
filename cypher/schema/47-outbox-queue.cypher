// Only events not yet in a delivery have queuedAt: the index holds the queue itself, in order.
CREATE INDEX outbox_queue IF NOT EXISTS FOR (e:OutboxEvent) ON (e.destinationId, e.queuedAt)
