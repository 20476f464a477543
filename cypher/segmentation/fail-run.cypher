MATCH (r:SegmentRun {id: $id})
WHERE r.status IN ['queued', 'running']
SET r.status = 'failed', r.finishedAt = datetime(), r.error = $error, r.metrics = coalesce($metrics, r.metrics)
REMOVE r.activeSlot
RETURN r.id AS id
