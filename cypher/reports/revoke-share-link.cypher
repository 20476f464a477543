// Revoked links stay listed (who shared what, until when); the first revocation's time is kept.
MATCH (l:ShareLink {id: $id})
SET l.revokedAt = coalesce(l.revokedAt, datetime($at))
RETURN l.id AS id
