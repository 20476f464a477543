// Leases held now (expired ones left out).
MATCH (l:JobLease)
WHERE l.owner IS NOT NULL AND l.expiresAt > datetime.realtime()
RETURN l.name AS name, l.owner AS owner
