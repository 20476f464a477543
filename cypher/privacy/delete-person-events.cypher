// The ids of the person's events: recorded with the person (Event.userId), and those of purchase events also on the
// PURCHASED edge's key (events stored before Event.userId existed).
MATCH (u:User {id: $userId})
OPTIONAL MATCH (u)-[p:PURCHASED]->()
WHERE p.key STARTS WITH 'event:'
WITH u, collect(substring(p.key, 6)) AS purchaseEvents
CALL (u, purchaseEvents) {
  MATCH (e:Event {userId: u.id})
  RETURN e
  UNION
  UNWIND purchaseEvents AS id
  MATCH (e:Event {id: id})
  RETURN e
}
DETACH DELETE e
RETURN count(e) AS events
