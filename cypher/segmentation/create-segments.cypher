MATCH (r:SegmentRun {id: $runId})
UNWIND $rows AS row
CREATE (s:Segment {
  uid: $runId + '/' + row.id, id: row.id, runId: $runId, level: row.level, label: row.label, other: row.other,
  topicCount: row.topicCount, userCount: row.userCount, share: row.share, topTopics: row.topTopics, parentId: row.parentId
})
CREATE (s)-[:OF_RUN]->(r)
