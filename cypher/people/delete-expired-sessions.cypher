MATCH (s:Session)
WHERE s.expiresAt < datetime()
WITH s LIMIT 1000
DELETE s
RETURN count(*) AS deleted
