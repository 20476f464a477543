// Events that must not be sent (their person withdrew consent or was erased since they were queued).
MATCH (e:OutboxEvent)
WHERE e.id IN $ids
DELETE e
RETURN count(*) AS dropped
