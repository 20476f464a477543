// A session saved before sessions carried `userId`: record it (so erasure finds the session) and say whether the
// person still exists.
MATCH (s:Session {sid: $sid})
SET s.userId = $userId
RETURN EXISTS { MATCH (u:User) WHERE u.id = $userId } AS live
