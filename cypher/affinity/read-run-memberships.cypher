MATCH (t:Topic)-[:IN_SEGMENT]->(s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse'
RETURN t.id AS topicId, s.id AS segmentId
