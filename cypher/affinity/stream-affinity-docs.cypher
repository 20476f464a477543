// Every stored segment of one with the addresses it is read by (warms the in-process cache).
MATCH (u:User)
WHERE u.affinity IS NOT NULL
RETURN u.id AS userId, u.affinity AS doc, [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
