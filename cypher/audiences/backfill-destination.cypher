// One batch of a new destination's backfill: `audience.entered` for the members it missed (current, outside the
// holdout, numbered before the destination existed), paged by user id (one current membership per person).
MATCH (d:Destination {id: $id})
WHERE NOT d.backfilled
CALL (d) {
  MATCH (m:Membership)
  WHERE m.audienceId = d.audienceId AND m.userId > d.backfillAfter AND m.exitedAt IS NULL
  WITH m ORDER BY m.userId LIMIT toInteger($limit)
  RETURN collect(m) AS batch
}
WITH d, batch, [m IN batch WHERE NOT m.holdout AND m.seq < d.fromSeq] AS send
FOREACH (m IN send |
  CREATE (:OutboxEvent {id: randomUUID(), destinationId: d.id, audienceId: d.audienceId, type: 'audience.entered',
                        userId: m.userId, at: m.enteredAt, queuedAt: datetime($now)}))
SET d.backfillAfter = CASE WHEN size(batch) = 0 THEN d.backfillAfter ELSE batch[-1].userId END,
    d.backfilled = size(batch) < $limit
RETURN size(send) AS queued, d.backfilled AS done
