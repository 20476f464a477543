// Takes or renews a job's lease: granted when nobody holds it, the caller holds it, or the holder's lease expired.
// The first SET locks the node, so the owner read after it is the latest committed one (two processes asking at once
// are served one after the other, and the second sees the first's claim).
MERGE (l:JobLease {name: $name})
SET l.askedAt = datetime.realtime()
WITH l, l.owner = $owner AS renewing
WHERE l.owner IS NULL OR renewing OR l.expiresAt < datetime.realtime()
SET l.owner = $owner,
    l.expiresAt = datetime.realtime() + duration({milliseconds: toInteger($ms)}),
    l.acquiredAt = CASE WHEN renewing THEN l.acquiredAt ELSE datetime.realtime() END
RETURN l.owner AS owner
