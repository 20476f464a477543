// Every stint in the audience (entered, exited or not yet), by person then time, optionally of one person.
MATCH (m:Membership)
WHERE m.audienceId = $id AND m.userId IS NOT NULL AND ($userId IS NULL OR m.userId = $userId)
  AND (m.userId > $afterUser OR (m.userId = $afterUser AND m.seq > $afterSeq))
WITH m ORDER BY m.userId, m.seq LIMIT toInteger($limit)
OPTIONAL MATCH (u:User {id: m.userId})
RETURN m.userId AS userId, m.seq AS seq, toString(m.enteredAt) AS enteredAt, toString(m.exitedAt) AS exitedAt,
       m.holdout AS holdout, [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
