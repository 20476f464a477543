// A failed attempt: the next one after $delayMs, or none ($giveUp: the delivery is kept as failed, with its events,
// and the destination moves on).
MATCH (dl:Delivery {id: $id})
SET dl.attempts = dl.attempts + 1, dl.lastStatus = $status, dl.lastError = $error, dl.lastAttemptAt = datetime(),
    dl.dropped = coalesce(dl.dropped, 0) + $dropped,
    dl.state = CASE WHEN $giveUp THEN 'failed' ELSE 'pending' END,
    dl.nextAttemptAt = CASE WHEN $giveUp THEN null ELSE datetime() + duration({milliseconds: toInteger($delayMs)}) END
WITH dl
OPTIONAL MATCH (d:Destination {id: dl.destinationId})
SET d.pending = CASE WHEN $giveUp THEN null ELSE dl.id END, d.dueAt = dl.nextAttemptAt
RETURN dl.attempts AS attempts
