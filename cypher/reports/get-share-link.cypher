MATCH (l:ShareLink {id: $id})
RETURN l.id AS id, l.tokenHash AS tokenHash, l.report AS report, l.title AS title, toString(l.createdAt) AS createdAt,
       toString(l.expiresAt) AS expiresAt, toString(l.revokedAt) AS revokedAt, l.createdBy AS createdBy
