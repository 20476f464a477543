CREATE INDEX run_status IF NOT EXISTS FOR (r:SegmentRun) ON (r.status, r.createdAt)
