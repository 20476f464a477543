CREATE INDEX outbox_audience IF NOT EXISTS FOR (e:OutboxEvent) ON (e.audienceId)
