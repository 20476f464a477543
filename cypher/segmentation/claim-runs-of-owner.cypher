// Runs of a worker process known to be dead (its supervising parent saw it exit): taken over at once, without waiting
// for their heartbeat to go stale. Locked before reading, as in claim-stale-runs, so two recoveries never both claim.
MATCH (r:SegmentRun)
WHERE r.activeSlot IS NOT NULL AND r.owner = $deadOwner
SET r.recoveredBy = CASE WHEN r.owner = $deadOwner AND r.activeSlot IS NOT NULL THEN $owner ELSE r.recoveredBy END
WITH r, r.heartbeatAt AS lastBeat
WHERE r.recoveredBy = $owner AND r.owner = $deadOwner AND r.activeSlot IS NOT NULL
SET r.heartbeatAt = datetime(), r.owner = $owner
RETURN r.id AS id, r.status AS status, r.phase AS phase, toString(lastBeat) AS lastBeat
