// Coarse segments of a run as they are shown: affinities are computed over these (a group's head stands for its members).
MATCH (s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse' AND s.mergedInto IS NULL
RETURN s.id AS segmentId, s.label AS label, s.share AS share
