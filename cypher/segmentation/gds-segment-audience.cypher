// GDS engine: per community, the consenting users with at least one interest in it and the sum over users of the
// community's share of their interest weight (the caller divides by `segmented`), as the in-process pipeline computes
// them; $membership maps topic id -> community (topics outside the segmentation are absent).
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true)
CALL (u) {
  MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE r.weight > 0 AND $membership[t.id] IS NOT NULL
  WITH $membership[t.id] AS community, sum(r.weight) AS weight
  RETURN collect({community: community, weight: weight}) AS parts, sum(weight) AS total
}
WITH parts, total
WHERE total > 0
WITH count(*) AS segmented, collect({parts: parts, total: total}) AS users
UNWIND users AS user
UNWIND user.parts AS part
WITH segmented, part.community AS community, count(*) AS users, sum(part.weight / user.total) AS share
RETURN community, users, share, segmented
