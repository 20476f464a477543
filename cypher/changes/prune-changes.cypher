// Entries older than the retention, a bounded batch per transaction.
MATCH (c:Change)
WHERE c.at < datetime() - duration({milliseconds: toInteger($retentionMs)})
WITH c
LIMIT toInteger($limit)
DELETE c
RETURN count(*) AS done
