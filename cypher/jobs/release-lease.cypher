// Gives a lease back at once (a clean stop), so another process need not wait for it to expire.
MATCH (l:JobLease {name: $name})
WHERE l.owner = $owner
REMOVE l.owner
SET l.expiresAt = datetime.realtime()
RETURN count(l) AS released
