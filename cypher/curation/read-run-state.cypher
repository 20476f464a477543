// A run's own coarse segments (as the run computed them, whatever curation shows) with the groups curation shows now
// (their heads' figures and members), its hierarchy, its stability report and the curation sequence it reflects.
MATCH (r:SegmentRun {id: $runId})
OPTIONAL MATCH (s:Segment {runId: $runId})
WHERE s.level = 'coarse'
WITH r, collect(s {
  .id, .mergedInto, label: coalesce(s.autoLabel, s.label), other: coalesce(s.other, false),
  userCount: CASE WHEN s.grouped IS NULL THEN s.userCount ELSE s.baseUserCount END,
  share: CASE WHEN s.grouped IS NULL THEN s.share ELSE s.baseShare END,
  topicCount: CASE WHEN s.grouped IS NULL THEN s.topicCount ELSE s.baseTopicCount END,
  topTopics: CASE WHEN s.grouped IS NULL THEN s.topTopics ELSE s.baseTopTopics END,
  group: CASE WHEN s.grouped IS NULL THEN null ELSE {
    members: s.members, userCount: s.userCount, share: s.share, topicCount: s.topicCount, cohesion: s.cohesion,
    conductance: s.conductance, evidence: s.evidence, significant: s.significant
  } END
}) AS segments
RETURN segments, r.hierarchy AS hierarchy, r.metrics AS metrics, r.curationSeq AS curationSeq
