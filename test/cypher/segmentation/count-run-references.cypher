// Test helper: what in the graph still refers to a run besides its SegmentRun node (property values equal to the id,
// or strings that contain it, such as JSON documents).
CALL () {
  MATCH (n)
  WHERE NOT n:SegmentRun AND any(k IN keys(n) WHERE n[k] = $runId OR (n[k] IS :: STRING AND n[k] CONTAINS $runId))
  RETURN count(n) AS nodes
}
CALL () {
  MATCH ()-[r]->()
  WHERE any(k IN keys(r) WHERE r[k] = $runId OR (r[k] IS :: STRING AND r[k] CONTAINS $runId))
  RETURN count(r) AS relationships
}
RETURN nodes, relationships
