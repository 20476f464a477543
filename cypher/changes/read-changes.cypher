// Entries after $since, oldest first, and the oldest entry still kept (a reader behind it has missed entries).
MATCH (c:Change)
WHERE c.seq > $since
WITH c
ORDER BY c.seq
LIMIT toInteger($limit)
RETURN c.seq AS seq, c.kind AS kind, c.userIds AS userIds, c.origin AS origin
