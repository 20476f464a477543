MATCH (k:ApiKey {hash: $hash})
RETURN k {.id, .name, .role} AS key
