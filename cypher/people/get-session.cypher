// `live` is false for a session whose person no longer exists (erased while a request was saving it): refused.
MATCH (s:Session {sid: $sid})
WHERE s.expiresAt > datetime()
RETURN s.data AS data, s.userId AS userId, s.userId IS NULL OR EXISTS { MATCH (u:User) WHERE u.id = s.userId } AS live
