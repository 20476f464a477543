MATCH (s:Session {sid: $sid})
SET s.expiresAt = datetime($expiresAt)
