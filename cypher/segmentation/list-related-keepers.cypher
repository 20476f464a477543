// Runs whose RELATED edges are still read: the visible run, and the succeeded candidates prepared against it (they can
// still be published).
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
WITH v.runId AS visibleId
OPTIONAL MATCH (c:SegmentRun {status: 'succeeded'})
WHERE coalesce(c.kind, 'segmentation') = 'segmentation'
  AND (c.basedOn = visibleId AND c.id <> visibleId OR (visibleId IS NULL AND c.basedOn IS NULL))
RETURN [x IN [visibleId] WHERE x IS NOT NULL] + collect(c.id) AS runIds
