// One row per consenting user: their topics and weights (the projection maps topic ids to integers on arrival).
// With $halfLifeMs (source → half-life in ms, src/segmentation/decay.ts) each decaying source's weight is multiplied
// by 0.5^(age / half-life), age = $asOfMs − lastSeen (never below 0); without it the stored total is used as it is.
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true)
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
