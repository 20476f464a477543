MATCH (k:ApiKey {id: $id})
WITH k, k.id AS id
DETACH DELETE k
RETURN id
