// The curation sequence the run's overlay reflects: a run made visible before later decisions reached it is caught up.
MATCH (r:SegmentRun {id: $runId})
SET r.curationSeq = $seq, r.hierarchy = coalesce($hierarchy, r.hierarchy)
