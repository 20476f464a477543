CREATE INDEX segment_id IF NOT EXISTS FOR (s:Segment) ON (s.id)
