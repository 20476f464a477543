// Sensitive topics are not offered to anyone (admins see them in GET /v1/sensitive-topics).
// Topic.key is normalized (NFKC, case-folded, collapsed whitespace) and has a text index for CONTAINS.
MATCH (t:Topic)
WHERE ($q IS NULL OR t.key CONTAINS $q) AND NOT coalesce(t.sensitive, false)
RETURN t.id AS id, t.name AS name, t.category AS category
ORDER BY t.key, t.id
SKIP toInteger($skip) LIMIT toInteger($limit)
