// Runs whose RELATED edges are still read: the visible run, and the succeeded candidates prepared against it (they can
// still be published). The visible id is a grouping key of the aggregation (Neo4j 5 refuses it used inside the
// aggregating RETURN expression), so the candidates are collected first and combined after.
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
WITH v.runId AS visibleId
OPTIONAL MATCH (c:SegmentRun {status: 'succeeded'})
WHERE coalesce(c.kind, 'segmentation') = 'segmentation'
  AND (c.basedOn = visibleId AND c.id <> visibleId OR (visibleId IS NULL AND c.basedOn IS NULL))
WITH visibleId, collect(c.id) AS candidates
RETURN [x IN [visibleId] WHERE x IS NOT NULL] + candidates AS runIds
