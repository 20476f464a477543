UNWIND $refs AS ref
OPTIONAL MATCH (:Identity {key: ref})-[:IDENTIFIES]->(a:User)
OPTIONAL MATCH (b:User {id: ref})
RETURN ref, coalesce(a.id, b.id) AS userId
