CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, prefix: $prefix, createdAt: datetime()})
RETURN k {.id, .name, .role, .prefix, createdAt: toString(k.createdAt)} AS key
