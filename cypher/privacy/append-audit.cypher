// One audit entry (no personal data: the action, who did it by role or key id, and counts). The counter node is
// locked until commit, so entries commit in sequence order.
MERGE (log:AuditLog {name: 'audit'})
  ON CREATE SET log.seq = 0
SET log.seq = log.seq + 1
CREATE (a:AuditEntry {seq: log.seq, at: datetime(), action: $action, actor: $actor, details: $details})
RETURN a.seq AS seq
