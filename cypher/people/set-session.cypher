// The session holds only the OAuth state while logging in and {userId} afterwards (never a token). `userId` is
// also a property, so erasing the person ends every one of their sessions (erase-user).
MERGE (s:Session {sid: $sid})
SET s.data = $data, s.expiresAt = datetime($expiresAt), s.userId = $userId
