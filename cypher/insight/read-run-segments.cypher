// A run's coarse segments as the run recorded them (size and topics at the time), for insight's "since the previous
// run". Retention keeps the segments of the newest 5 succeeded runs; an older run's come back empty.
MATCH (s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse'
RETURN s.id AS id, s.label AS label, s.userCount AS userCount, s.topicCount AS topicCount, coalesce(s.other, false) AS other,
       s.topTopics AS topTopics
