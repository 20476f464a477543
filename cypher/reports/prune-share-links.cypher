// Links that expired long ago are of no use, even as a record: removed a bounded batch at a time.
MATCH (l:ShareLink)
WHERE l.expiresAt < datetime($before)
WITH l LIMIT 1000
DELETE l
RETURN count(*) AS deleted
