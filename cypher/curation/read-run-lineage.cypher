MATCH (r:SegmentRun {id: $runId})
RETURN r.metrics AS metrics
