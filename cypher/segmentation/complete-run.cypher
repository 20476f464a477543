// The status flip is what makes the run's segments visible to readers.
MATCH (r:SegmentRun {id: $id})
WHERE r.status = 'running'
SET r.status = 'succeeded', r.finishedAt = datetime(), r.metrics = $metrics
REMOVE r.activeSlot, r.phase
RETURN r.id AS id
