// activeSlot is unique (cypher/schema): a second queued/running run fails the constraint, even from another instance.
CREATE (r:SegmentRun {
  id: $id, status: 'queued', params: $params, createdAt: datetime(), heartbeatAt: datetime(),
  activeSlot: 'segmentation', owner: $owner
})
RETURN r.id AS id, r.status AS status
