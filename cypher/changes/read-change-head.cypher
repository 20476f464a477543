// The newest sequence number and the oldest one still kept (null when the feed is empty).
MATCH (log:ChangeLog {name: 'changes'})
RETURN log.seq AS head, COLLECT { MATCH (c:Change) RETURN c.seq ORDER BY c.seq LIMIT 1 }[0] AS oldest
