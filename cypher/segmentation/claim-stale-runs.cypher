// Runs whose process stopped sending heartbeats (crash, kill -9, a worker without a supervising parent), or queued runs
// no worker claimed: this process takes them over to clean them up, refreshing the heartbeat while it does. The
// right-hand side reads heartbeatAt, so Neo4j takes the write lock before reading it: of two instances recovering at
// once, the second sees the first one's fresh heartbeat and claims nothing.
WITH datetime() - duration({milliseconds: toInteger($staleMs)}) AS cutoff
MATCH (r:SegmentRun)
WHERE r.activeSlot IS NOT NULL AND r.heartbeatAt < cutoff
SET r.recoveredBy = CASE WHEN r.heartbeatAt < cutoff THEN $owner ELSE r.recoveredBy END
WITH r, cutoff, r.heartbeatAt AS lastBeat
WHERE r.recoveredBy = $owner AND lastBeat < cutoff
SET r.heartbeatAt = datetime(), r.owner = $owner
RETURN r.id AS id, r.status AS status, r.phase AS phase, toString(lastBeat) AS lastBeat
