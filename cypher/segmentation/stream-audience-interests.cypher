// An audience's own segmentation (a run of kind 'audience'): one row per member in $userIds with their topics and
// weights, like stream-interests.cypher (sensitive topics left out, weights decayed the same way with $halfLifeMs).
// Segmenting an audience is a marketing use of the people's interests: a member counts only with consent to both
// segmentation and marketing, read now (consent withdrawn since the audience was queued is honoured).
UNWIND $userIds AS id
MATCH (u:User {id: id})
WHERE coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)
CALL (u) {
  MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE r.weight > 0 AND NOT coalesce(t.sensitive, false)
  WITH t, r, CASE WHEN $halfLifeMs IS NULL THEN 0 ELSE $asOfMs - coalesce(r.lastSeen.epochMillis, $asOfMs) END AS age
  RETURN collect(t.id) AS topics,
         collect(CASE WHEN $halfLifeMs IS NULL OR age <= 0 THEN r.weight
                 ELSE r.weight - reduce(lost = 0.0, s IN keys($halfLifeMs) |
                        lost + coalesce(r['w_' + s], 0) * (1 - 0.5 ^ (toFloat(age) / $halfLifeMs[s]))) END) AS weights
}
WITH topics, weights
WHERE size(topics) > 0
RETURN topics, weights
