// An erased person's consent history stays as anonymous entries of the audit log (purpose, granted, by, at): the user
// id, the one thing that tied them to the person, goes.
MATCH (c:ConsentChange {userId: $userId})
REMOVE c.userId
RETURN count(c) AS changes
