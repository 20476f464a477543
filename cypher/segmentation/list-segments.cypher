MATCH (s:Segment {runId: $runId})
WHERE s.level = $level
RETURN s {.id, .label, .level, .topicCount, .userCount, .share, .topTopics, .parentId, .other, .cohesion, .conductance, .evidence, .significant, .seedStability} AS segment
ORDER BY coalesce(s.other, false), s.userCount DESC, s.id
SKIP toInteger($skip) LIMIT toInteger($limit)
