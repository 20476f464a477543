// The evaluator's verdicts, row = {audienceId, userId, member, holdout}: a person who qualifies and has no current
// membership enters (a new Membership: history keeps every stint), one who no longer qualifies exits (exitedAt set).
// Each change queues one event per destination of the audience, except for the holdout, which is never sent anywhere.
// Rows that change nothing write nothing.
UNWIND $rows AS row
MATCH (a:SavedAudience {id: row.audienceId})
OPTIONAL MATCH (m:Membership)
  WHERE m.audienceId = row.audienceId AND m.userId = row.userId AND m.exitedAt IS NULL
WITH a, row, m
WHERE row.member <> (m IS NOT NULL)
// Locks the audience: a destination being added (create-destination) is ordered before or after this transaction,
// and memberships numbered before its fromSeq reach it through its backfill, later ones through the events below.
SET a.seq = a.seq + 1
WITH a, row, m, a.seq AS seq
CALL (a, row, m, seq) {
  WITH a, row, m, seq
  WHERE m IS NULL
  CREATE (:Membership {audienceId: a.id, userId: row.userId, enteredAt: datetime($now), holdout: row.holdout, seq: seq})
  SET a.memberCount = a.memberCount + 1,
      a.holdoutCount = a.holdoutCount + CASE WHEN row.holdout THEN 1 ELSE 0 END
  RETURN 'audience.entered' AS type, row.holdout AS holdout
  UNION
  WITH a, row, m, seq
  WHERE m IS NOT NULL
  SET m.exitedAt = datetime($now),
      a.memberCount = a.memberCount - 1,
      a.holdoutCount = a.holdoutCount - CASE WHEN m.holdout THEN 1 ELSE 0 END
  RETURN 'audience.exited' AS type, m.holdout AS holdout
}
CALL (a, row, type, holdout) {
  MATCH (d:Destination {audienceId: a.id})
  WHERE NOT holdout
  CREATE (:OutboxEvent {id: randomUUID(), destinationId: d.id, audienceId: a.id, type: type, userId: row.userId,
                        at: datetime($now), queuedAt: datetime($now)})
  RETURN count(*) AS events
}
RETURN a.id AS audienceId, type, count(*) AS people, sum(events) AS events
