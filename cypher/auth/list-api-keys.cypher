MATCH (k:ApiKey)
RETURN k {.id, .name, .role, .prefix, createdAt: toString(k.createdAt)} AS key
ORDER BY k.createdAt, k.id
SKIP toInteger($skip) LIMIT toInteger($limit)
