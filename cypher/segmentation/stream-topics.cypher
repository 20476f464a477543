MATCH (t:Topic)
RETURN t.id AS id, t.name AS name, t.category AS category
