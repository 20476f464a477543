// Runs whose process stopped sending heartbeats (crash, kill -9) would otherwise block new runs forever.
MATCH (r:SegmentRun)
WHERE r.activeSlot IS NOT NULL AND r.heartbeatAt < datetime() - duration({milliseconds: toInteger($staleMs)})
SET r.status = 'failed', r.finishedAt = datetime(),
    r.error = 'interrupted: the process running it stopped (no heartbeat since ' + toString(r.heartbeatAt) + ')'
REMOVE r.activeSlot
RETURN r.id AS id
