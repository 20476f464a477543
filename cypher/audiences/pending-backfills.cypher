MATCH (d:Destination)
WHERE NOT d.backfilled
RETURN d.id AS id
LIMIT 100
