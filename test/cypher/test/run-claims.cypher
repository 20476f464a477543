// Test helper: how often a run was claimed by a worker, and by whom last.
MATCH (r:SegmentRun {id: $id})
RETURN coalesce(r.claims, 0) AS claims, r.owner AS owner
