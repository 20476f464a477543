MATCH (r:SegmentRun {id: $id})
WHERE r.status = 'queued'
SET r.status = 'running', r.startedAt = datetime(), r.heartbeatAt = datetime(), r.phase = 'project'
RETURN r.id AS id
