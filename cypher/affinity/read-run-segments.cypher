// Coarse segments of a run as they are shown: affinities are computed over these. Segments shown as part of a group
// (curation, granularity) come with `mergedInto`: the model answers for them with their group's head.
MATCH (s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse'
RETURN s.id AS segmentId, s.label AS label, s.share AS share, s.mergedInto AS mergedInto, s.topTopics AS topTopics
