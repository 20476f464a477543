MATCH (d:Destination {id: $id, audienceId: $audienceId})
RETURN d.id AS id, d.audienceId AS audienceId, d.name AS name, d.url AS url, toString(d.createdAt) AS createdAt,
       d.backfilled AS backfilled,
       COUNT { MATCH (e:OutboxEvent) WHERE e.destinationId = d.id AND e.queuedAt IS NOT NULL } AS queued,
       COLLECT { MATCH (dl:Delivery) WHERE dl.destinationId = d.id AND dl.createdAt IS NOT NULL
                 WITH dl ORDER BY dl.createdAt DESC LIMIT 1
                 RETURN {id: dl.id, state: dl.state, attempts: dl.attempts, events: dl.eventCount, lastStatus: dl.lastStatus,
                         lastError: dl.lastError, createdAt: toString(dl.createdAt), deliveredAt: toString(dl.deliveredAt),
                         nextAttemptAt: toString(dl.nextAttemptAt)} }[0] AS lastDelivery
