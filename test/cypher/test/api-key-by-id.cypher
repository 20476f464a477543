MATCH (k:ApiKey {id: $id})
RETURN k.hash AS hash, k.key IS NOT NULL AS hasKey
