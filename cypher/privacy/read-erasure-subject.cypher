// What an erasure must suppress: the person's identity keys and email hash (hashed again with the secret key in code).
MATCH (u:User {id: $userId})
OPTIONAL MATCH (i:Identity)-[:IDENTIFIES]->(u)
RETURN u.id AS userId, u.emailHash AS emailHash, collect(i.key) AS identities
