MATCH (t:Topic {id: $id})
RETURN t.id AS id, t.name AS name
