// Back to the run's own segments: labels, figures of groups' heads, hidden members and fine parents restored.
MATCH (s:Segment {runId: $runId})
WHERE s.curated = true
SET s.label = coalesce(s.autoLabel, s.label),
    s.parentId = coalesce(s.baseParentId, s.parentId),
    s.userCount = CASE WHEN s.grouped IS NULL THEN s.userCount ELSE s.baseUserCount END,
    s.share = CASE WHEN s.grouped IS NULL THEN s.share ELSE s.baseShare END,
    s.topicCount = CASE WHEN s.grouped IS NULL THEN s.topicCount ELSE s.baseTopicCount END,
    s.topTopics = CASE WHEN s.grouped IS NULL THEN s.topTopics ELSE s.baseTopTopics END,
    s.cohesion = CASE WHEN s.grouped IS NULL THEN s.cohesion ELSE s.baseCohesion END,
    s.conductance = CASE WHEN s.grouped IS NULL THEN s.conductance ELSE s.baseConductance END,
    s.evidence = CASE WHEN s.grouped IS NULL THEN s.evidence ELSE s.baseEvidence END,
    s.significant = CASE WHEN s.grouped IS NULL THEN s.significant ELSE s.baseSignificant END,
    s.seedStability = CASE WHEN s.grouped IS NULL THEN s.seedStability ELSE s.baseSeedStability END
REMOVE s.curated, s.autoLabel, s.labelSource, s.labelDecision, s.labelNote, s.baseParentId, s.mergedInto, s.members,
       s.mergeDecisions, s.grouped, s.baseUserCount, s.baseShare, s.baseTopicCount, s.baseTopTopics, s.baseCohesion,
       s.baseConductance, s.baseEvidence, s.baseSignificant, s.baseSeedStability
RETURN count(s) AS cleared
