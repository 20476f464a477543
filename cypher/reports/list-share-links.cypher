// Newest first; the keyset is (createdAt, id) of the previous page's last link.
MATCH (l:ShareLink)
WHERE $afterMs IS NULL OR l.createdAt < datetime({epochMillis: $afterMs})
   OR (l.createdAt = datetime({epochMillis: $afterMs}) AND l.id > $afterId)
RETURN l.id AS id, l.report AS report, l.title AS title, toString(l.createdAt) AS createdAt,
       toString(l.expiresAt) AS expiresAt, toString(l.revokedAt) AS revokedAt, l.createdBy AS createdBy
ORDER BY l.createdAt DESC, l.id
LIMIT toInteger($limit)
