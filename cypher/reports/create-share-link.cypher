// A report's share link: the token itself is never stored, only its SHA-256 (checked on every use, so a revoked or
// deleted link stops working at once).
CREATE (l:ShareLink {id: $id, tokenHash: $tokenHash, report: $report, title: $title, createdAt: datetime($createdAt),
                     expiresAt: datetime($expiresAt), createdBy: $createdBy})
RETURN l.id AS id
