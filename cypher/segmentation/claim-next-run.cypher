// A worker takes the queued run (there is at most one: activeSlot is unique) if it runs that run's engine.
// The first SET reads r.status on its right-hand side, so Neo4j takes the write lock before reading it: of two workers
// claiming at once, the second reads the first one's committed 'running' and claims nothing. `claims` counts the
// claims a run ever had (1 for every run that ran).
MATCH (r:SegmentRun {activeSlot: 'segmentation'})
WHERE r.status = 'queued' AND coalesce(r.engine, 'graphology') = $engine
SET r.owner = CASE WHEN r.status = 'queued' THEN $owner ELSE r.owner END
WITH r
WHERE r.owner = $owner AND r.status = 'queued'
SET r.status = 'running', r.startedAt = datetime(), r.heartbeatAt = datetime(), r.phase = 'project',
    r.claims = coalesce(r.claims, 0) + 1
WITH r, coalesce(r.kind, 'segmentation') AS kind
RETURN r.id AS id, r.params AS params, kind = 'segmentation' AND coalesce(r.publish, true) AS publish, kind
