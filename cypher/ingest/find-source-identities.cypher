// Every identity of one source that each person holds (usually one; more when records were stitched by email).
UNWIND $userIds AS userId
MATCH (:User {id: userId})<-[:IDENTIFIES]-(i:Identity {source: $source})
RETURN userId, i.key AS key, i.snapshot AS snapshot
