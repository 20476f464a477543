CREATE INDEX segment_run IF NOT EXISTS FOR (s:Segment) ON (s.runId)
