// Test cleanup: a batch of the users whose id starts with $prefix (a file's bulk-loaded population).
MATCH (u:User)
WHERE u.id STARTS WITH $prefix
WITH u LIMIT 5000
DETACH DELETE u
RETURN count(*) AS deleted
