MATCH (s:Segment {uid: $runId + '/' + $id})
RETURN s {.id, .label, .level, .topicCount, .userCount, .share, .topTopics, .parentId, .other, .cohesion, .conductance, .evidence, .significant, .seedStability, .autoLabel, .labelSource, .labelDecision, .labelNote, .members, .mergeDecisions, .grouped, .mergedInto} AS segment
