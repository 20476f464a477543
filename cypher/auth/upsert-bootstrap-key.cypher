MERGE (k:ApiKey {id: $id})
ON CREATE SET k.createdAt = datetime()
SET k.name = $name, k.role = 'admin', k.hash = $hash, k.prefix = $prefix
RETURN k.id AS id
