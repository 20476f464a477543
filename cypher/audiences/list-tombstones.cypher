MATCH (t:Tombstone)
RETURN t.kind AS kind, t.id AS id
ORDER BY t.at
LIMIT 100
