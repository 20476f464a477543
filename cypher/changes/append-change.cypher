// One entry of the change feed. The counter node is locked by the SET until commit, so entries commit in sequence
// order: a reader that sees entry n has seen every entry before it, and "changes since n" loses nothing.
MATCH (log:ChangeLog {name: 'changes'})
SET log.seq = log.seq + 1
CREATE (c:Change {seq: log.seq, at: datetime(), kind: $kind, userIds: $userIds, origin: $origin})
RETURN c.seq AS seq
