MATCH (s:Segment {uid: $runId + '/' + $segmentId})
RETURN s.id AS segmentId, coalesce(s.level, 'coarse') AS level, s.label AS label
