CREATE INDEX related_run IF NOT EXISTS FOR ()-[r:RELATED]-() ON (r.runId)
