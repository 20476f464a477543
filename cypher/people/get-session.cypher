MATCH (s:Session {sid: $sid})
WHERE s.expiresAt > datetime()
RETURN s.data AS data
