// A full evaluation is written: the audience follows this version of its definition and this visible run. Events
// about the run's segments (split, merged) are queued in the same transaction, so they are queued exactly once.
MATCH (a:SavedAudience {id: $id})
SET a.evaluatedVersion = $version, a.evaluatedRunId = $runId, a.evaluatedAt = datetime()
WITH a
CALL (a) {
  UNWIND $segmentEvents AS s
  MATCH (d:Destination {audienceId: a.id})
  CREATE (:OutboxEvent {id: randomUUID(), destinationId: d.id, audienceId: a.id, type: s.type, data: s.data,
                        at: datetime($now), queuedAt: datetime($now)})
  RETURN count(*) AS events
}
RETURN events
