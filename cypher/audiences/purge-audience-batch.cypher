// One bounded batch of what a deleted audience left: memberships and the events still queued for it.
CALL () {
  MATCH (m:Membership)
  WHERE m.audienceId = $id AND m.userId IS NOT NULL
  WITH m LIMIT toInteger($limit)
  DELETE m
  RETURN count(*) AS memberships
}
CALL () {
  MATCH (e:OutboxEvent)
  WHERE e.audienceId = $id
  WITH e LIMIT toInteger($limit)
  DELETE e
  RETURN count(*) AS events
}
RETURN memberships + events AS done
