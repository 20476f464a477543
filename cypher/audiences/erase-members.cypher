// Erased people leave no trace in audiences: their memberships (history included) and queued events go, and the
// audiences' counts follow. Run by the erasure (hook) and again by the evaluator after it has re-evaluated them, which
// sweeps a membership it may have written while the erasure was under way.
UNWIND $userIds AS userId
CALL (userId) {
  MATCH (m:Membership)
  WHERE m.userId = userId
  // Lock first, then read: an exit the evaluator committed meanwhile is seen, so the count is not taken down twice.
  SET m.erasing = true
  WITH m
  OPTIONAL MATCH (a:SavedAudience {id: m.audienceId})
  WITH m, a, m.exitedAt IS NULL AS current
  FOREACH (_ IN CASE WHEN current AND a IS NOT NULL THEN [1] ELSE [] END |
    SET a.memberCount = a.memberCount - 1,
        a.holdoutCount = a.holdoutCount - CASE WHEN m.holdout THEN 1 ELSE 0 END)
  DELETE m
  RETURN count(*) AS memberships
}
CALL (userId) {
  MATCH (e:OutboxEvent)
  WHERE e.userId = userId
  DELETE e
  RETURN count(*) AS events
}
RETURN sum(memberships) AS memberships, sum(events) AS events
