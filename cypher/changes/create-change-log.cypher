// The feed's counter, once (the uniqueness constraint on ChangeLog.name makes concurrent starts safe).
MERGE (log:ChangeLog {name: 'changes'})
  ON CREATE SET log.seq = 0
