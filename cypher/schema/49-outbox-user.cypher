CREATE INDEX outbox_user IF NOT EXISTS FOR (e:OutboxEvent) ON (e.userId)
