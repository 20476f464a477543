// The newest sequence number, the log's epoch and the oldest entry still kept (null when the feed is empty).
MATCH (log:ChangeLog {name: 'changes'})
RETURN log.seq AS head, log.epoch AS epoch, COLLECT { MATCH (c:Change) RETURN c.seq ORDER BY c.seq LIMIT 1 }[0] AS oldest
