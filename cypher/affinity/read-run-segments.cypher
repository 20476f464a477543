// Coarse segments of a run: affinities are computed over these.
MATCH (s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse'
RETURN s.id AS segmentId, s.label AS label, s.share AS share
