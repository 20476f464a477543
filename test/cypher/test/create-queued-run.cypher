// Test fixture: a run still waiting in the queue (never started), dated far back so it sorts after every real run.
// It holds no active slot, so it blocks nobody.
CREATE (r:SegmentRun {id: $id, status: 'queued', params: '{}', createdAt: datetime('2000-01-01T00:00:00Z'), heartbeatAt: datetime('2000-01-01T00:00:00Z')})
RETURN r.id AS id
