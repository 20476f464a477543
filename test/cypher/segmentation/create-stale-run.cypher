// Test helper: a run left 'running' by a process that died an hour ago (it holds the active slot), in $phase.
CREATE (r:SegmentRun {
  id: $id, status: 'running', params: '{}', createdAt: datetime() - duration('PT1H'), startedAt: datetime() - duration('PT1H'),
  heartbeatAt: datetime() - duration('PT1H'), activeSlot: 'segmentation', owner: 'crashed-process', phase: $phase
})
RETURN r.id AS id
