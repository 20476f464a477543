CREATE INDEX outbox_delivery IF NOT EXISTS FOR (e:OutboxEvent) ON (e.deliveryId)
