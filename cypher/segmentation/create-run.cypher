// A queued run, for a worker with the same engine to claim. activeSlot is unique (cypher/schema): a second
// queued/running run fails the constraint, even from another instance. `publish`: whether it becomes the visible run
// when it succeeds (false: a candidate, published later by POST /v1/segmentation/runs/:id/publish); `trigger`: who
// asked for it (api, schedule, drift). `kind` 'audience' segments only the people in $audienceUsers (its definition in
// $audience): never published, never a candidate, never visible.
CREATE (r:SegmentRun {
  id: $id, status: 'queued', params: $params, engine: $engine, createdAt: datetime(), heartbeatAt: datetime(),
  activeSlot: 'segmentation', publish: $publish, trigger: $trigger, kind: $kind, audience: $audience,
  audienceUsers: $audienceUsers
})
RETURN r.id AS id, r.status AS status
