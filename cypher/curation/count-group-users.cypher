// Consenting people with an interest in any topic of each group of a run's segments (a merge made on the visible run).
UNWIND $groups AS g
CALL (g) {
  MATCH (s:Segment)
  WHERE s.uid IN [id IN g.ids | $runId + '/' + id]
  MATCH (t:Topic)-[:IN_SEGMENT]->(s)
  MATCH (u:User)-[r:INTERESTED_IN]->(t)
  WHERE r.weight > 0 AND coalesce(u.consentSegmentation, true)
  RETURN count(DISTINCT u) AS users
}
RETURN g.i AS i, users
