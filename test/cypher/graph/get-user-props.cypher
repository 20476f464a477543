// Test helper: every stored property of a user and its identities (to prove raw emails are not kept).
MATCH (u:User {id: $userId})
OPTIONAL MATCH (i:Identity)-[:IDENTIFIES]->(u)
WITH u, collect(properties(i)) AS identities
RETURN {user: properties(u), identities: identities} AS props
