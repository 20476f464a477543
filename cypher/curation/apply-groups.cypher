// A group is shown under its head: the head keeps its own figures in base* and shows the group's; the other members
// are hidden behind it (mergedInto), and fine segments under them now sit under the head.
UNWIND $rows AS row
MATCH (h:Segment {uid: $runId + '/' + row.head})
SET h.curated = true, h.grouped = row.grouped, h.members = row.members, h.mergeDecisions = row.decisionIds,
    h.baseUserCount = h.userCount, h.baseShare = h.share, h.baseTopicCount = h.topicCount, h.baseTopTopics = h.topTopics,
    h.baseCohesion = h.cohesion, h.baseConductance = h.conductance, h.baseEvidence = h.evidence,
    h.baseSignificant = h.significant, h.baseSeedStability = h.seedStability,
    h.userCount = row.userCount, h.share = row.share, h.topicCount = row.topicCount, h.topTopics = row.topTopics,
    h.cohesion = row.cohesion, h.conductance = row.conductance, h.evidence = row.evidence,
    h.significant = row.significant, h.seedStability = null
WITH row
UNWIND row.members[1..] AS member
MATCH (m:Segment {uid: $runId + '/' + member})
SET m.curated = true, m.mergedInto = row.head
WITH row, member
MATCH (f:Segment {runId: $runId, level: 'fine', parentId: member})
SET f.curated = true, f.baseParentId = f.parentId, f.parentId = row.head
