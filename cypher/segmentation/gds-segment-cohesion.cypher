// GDS engine: the people's co-interest statistics per community (src/segmentation/cohesion.ts), computed in the
// database so no user is streamed out. Per consenting user with segmented interest: a = the community's share of
// their interest weight, q = the sum of its topics' squared shares, k = their topics in it; summed per community,
// with the totals over interests (Σ k_u) and pairs of interests (Σ C(k_u, 2)). $membership maps topic id -> community.
MATCH (u:User)
WHERE coalesce(u.consentSegmentation, true)
CALL (u) {
  MATCH (u)-[r:INTERESTED_IN]->(t:Topic)
  WHERE r.weight > 0 AND $membership[t.id] IS NOT NULL
  WITH $membership[t.id] AS community, sum(r.weight) AS weight, sum(r.weight * r.weight) AS squares, count(*) AS k
  RETURN collect({community: community, weight: weight, squares: squares, k: k}) AS parts, sum(weight) AS total, sum(k) AS ku
}
WITH parts, total, ku
WHERE total > 0
WITH count(*) AS people, sum(ku) AS totalSlots, sum(ku * (ku - 1) / 2.0) AS totalPairs, collect({parts: parts, total: total}) AS users
UNWIND users AS user
UNWIND user.parts AS part
WITH people, totalSlots, totalPairs, part.community AS community, part.weight / user.total AS a,
     part.squares / (user.total * user.total) AS q, part.k AS k
RETURN community, sum(a) AS mass, sum(a * a - q) AS self, sum(a * (1 - a)) AS cut, sum(k) AS slots,
       sum(k * (k - 1) / 2.0) AS coPairs, sum(CASE WHEN k >= 2 THEN 1 ELSE 0 END) AS coPeople, people, totalSlots,
       totalPairs
