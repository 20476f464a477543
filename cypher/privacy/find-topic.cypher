// A topic by id, else by normalized name.
OPTIONAL MATCH (a:Topic {id: $ref})
OPTIONAL MATCH (b:Topic {key: $key})
WITH coalesce(a, b) AS t
WHERE t IS NOT NULL
RETURN t.id AS id
