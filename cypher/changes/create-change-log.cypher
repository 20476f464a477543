// The feed's counter, once (the uniqueness constraint on ChangeLog.name makes concurrent starts safe). Its epoch names
// this log: a database emptied or restored under running processes gets another one, and readers reload.
MERGE (log:ChangeLog {name: 'changes'})
  ON CREATE SET log.seq = 0
SET log.epoch = coalesce(log.epoch, randomUUID())
