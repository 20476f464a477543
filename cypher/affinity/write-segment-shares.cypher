// share = mean affinity over the run's population: the denominator of lift (see docs/graph-model.md).
UNWIND $rows AS row
MATCH (s:Segment {uid: $runId + '/' + row.segmentId})
SET s.share = row.share
