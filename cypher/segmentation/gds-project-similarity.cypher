// GDS engine: the topic similarity graph, built in the database. Node similarity (Jaccard over shared users) gives each
// topic its $candidates most similar topics; the co-occurrence count is recovered exactly from Jaccard and both
// supports (co = J(na + nb) / (1 + J)), so every weighting of the in-process projection applies: count, cosine,
// jaccard, npmi (positive only). Pairs need $minSupport shared users. An edge is kept when it is among the $neighbours
// strongest of either endpoint (the same k-nearest-neighbour sparsification), then projected undirected as $similarity.
CALL gds.nodeSimilarity.stream($graph, {
  similarityMetric: 'JACCARD',
  topK: toInteger($candidates),
  degreeCutoff: toInteger($minSupport),
  concurrency: toInteger($concurrency)
})
YIELD node1, node2, similarity
WITH node1, node2, similarity,
     gds.util.nodeProperty($graph, node1, 'support') AS na,
     gds.util.nodeProperty($graph, node2, 'support') AS nb
WITH node1, node2, na, nb, round(similarity * (na + nb) / (1 + similarity)) AS co
WHERE co >= $minSupport
WITH node1, node2,
     CASE $weighting
       WHEN 'count' THEN co
       WHEN 'cosine' THEN co / sqrt(na * nb)
       WHEN 'jaccard' THEN co / (na + nb - co)
       ELSE CASE WHEN co >= $users THEN 1.0 ELSE log(co * $users / (na * nb)) / -log(co / $users) END
     END AS weight
WHERE weight > 0
WITH node1, node2, weight
ORDER BY node1, weight DESC, node2
WITH node1, collect({other: node2, weight: weight})[0..toInteger($neighbours)] AS strongest
UNWIND strongest AS e
WITH DISTINCT
  CASE WHEN node1 < e.other THEN node1 ELSE e.other END AS a,
  CASE WHEN node1 < e.other THEN e.other ELSE node1 END AS b,
  e.weight AS weight
ORDER BY a, b
WITH gds.util.asNode(a) AS source, gds.util.asNode(b) AS target, weight
WITH gds.graph.project($similarity, source, target, {relationshipProperties: {weight: weight}},
       {undirectedRelationshipTypes: ['*']}) AS projection
RETURN projection.nodeCount AS topics, projection.relationshipCount / 2 AS edges
