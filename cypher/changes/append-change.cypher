// One entry of the change feed. The counter node is locked by the SET until commit, so entries commit in sequence
// order: a reader that sees entry n has seen every entry before it, and "changes since n" loses nothing. A database
// emptied under running processes has no counter: the entry starts a new log (a new epoch) instead of being lost.
MERGE (log:ChangeLog {name: 'changes'})
  ON CREATE SET log.seq = 0, log.epoch = randomUUID()
SET log.seq = log.seq + 1
CREATE (c:Change {seq: log.seq, at: datetime(), kind: $kind, userIds: $userIds, origin: $origin})
RETURN c.seq AS seq
