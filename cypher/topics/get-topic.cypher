MATCH (t:Topic {id: $id})
OPTIONAL MATCH (t)-[:IN_SEGMENT]->(s:Segment {runId: $runId, level: 'coarse'})
CALL (t) {
  OPTIONAL MATCH (u:User)-[:INTERESTED_IN]->(t)
  WHERE coalesce(u.consentSegmentation, true)
  RETURN count(u) AS userCount
}
CALL (t) {
  OPTIONAL MATCH (t)-[r:RELATED {runId: $runId}]->(o:Topic)
  WITH o, r ORDER BY r.weight DESC, o.id
  RETURN [x IN collect({id: o.id, name: o.name, weight: r.weight}) WHERE x.id IS NOT NULL] AS related
}
RETURN t.id AS id, t.name AS name, t.category AS category, coalesce(s.mergedInto, s.id) AS segmentId, userCount, related,
       coalesce(t.sensitive, false) AS sensitive
