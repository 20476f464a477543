MATCH (r:SegmentRun {id: $runId})
UNWIND $rows AS row
CREATE (s:Segment {
  uid: $runId + '/' + row.id, id: row.id, runId: $runId, level: row.level, label: row.label, other: row.other,
  topicCount: row.topicCount, userCount: row.userCount, share: row.share, topTopics: row.topTopics, parentId: row.parentId,
  cohesion: row.cohesion, conductance: row.conductance, evidence: row.evidence, significant: row.significant,
  seedStability: row.seedStability
})
CREATE (s)-[:OF_RUN]->(r)
