// A person's consent history, newest first.
MATCH (c:ConsentChange {userId: $userId})
RETURN c.purpose AS purpose, c.granted AS granted, c.by AS by, toString(c.at) AS at
ORDER BY c.at DESC, c.purpose
SKIP toInteger($skip) LIMIT toInteger($limit)
