MATCH (r:SegmentRun {id: $id})
WHERE r.status IN ['queued', 'running']
SET r.heartbeatAt = datetime(), r.phase = coalesce($phase, r.phase)
RETURN r.id AS id
