// The session holds only the OAuth state while logging in and {userId} afterwards (never a token).
MERGE (s:Session {sid: $sid})
SET s.data = $data, s.expiresAt = datetime($expiresAt)
