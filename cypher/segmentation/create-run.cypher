// A queued run, for a worker with the same engine to claim. activeSlot is unique (cypher/schema): a second
// queued/running run fails the constraint, even from another instance.
CREATE (r:SegmentRun {
  id: $id, status: 'queued', params: $params, engine: $engine, createdAt: datetime(), heartbeatAt: datetime(),
  activeSlot: 'segmentation'
})
RETURN r.id AS id, r.status AS status
