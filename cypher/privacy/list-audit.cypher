// The audit log, newest first: erasures and lifted suppressions (AuditEntry) and consent changes, read from the consent
// history itself (ConsentChange: purpose, granted, by, at; its user id is not returned). $beforeAt/$beforeKey: the last
// entry of the previous page (null for the first).
CALL () {
  MATCH (a:AuditEntry)
  RETURN a.at AS at, 'a' + right('000000000000' + toString(a.seq), 12) AS key, a.action AS action, a.actor AS actor,
         a.details AS details, null AS purpose, null AS granted
  UNION ALL
  MATCH (c:ConsentChange)
  RETURN c.at AS at, 'c' + elementId(c) AS key, 'consent' AS action, c.by AS actor, null AS details, c.purpose AS purpose,
         c.granted AS granted
}
WITH at, key, action, actor, details, purpose, granted
WHERE $beforeAt IS NULL OR at < datetime($beforeAt) OR (at = datetime($beforeAt) AND key < $beforeKey)
WITH at, key, action, actor, details, purpose, granted
ORDER BY at DESC, key DESC
LIMIT toInteger($limit)
RETURN toString(at) AS at, key, action, actor, details, purpose, granted
