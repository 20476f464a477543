// A run's metrics (JSON): insight reads its stability (overlaps, splits, merges) to say how a segment changed.
MATCH (r:SegmentRun {id: $runId})
RETURN r.metrics AS metrics
