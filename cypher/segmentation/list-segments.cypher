MATCH (s:Segment {runId: $runId})
// Segments hidden behind a group's head (curation, granularity) are shown as part of it, not on their own.
WHERE s.level = $level AND s.mergedInto IS NULL
RETURN s {.id, .label, .level, .topicCount, .userCount, .share, .topTopics, .parentId, .other, .cohesion, .conductance, .evidence, .significant, .seedStability, .autoLabel, .labelSource, .labelDecision, .labelNote, .members, .mergeDecisions, .grouped, .mergedInto} AS segment
ORDER BY coalesce(s.other, false), s.userCount DESC, s.id
SKIP toInteger($skip) LIMIT toInteger($limit)
