// Makes a succeeded candidate the visible run, in one statement: the pointer moves only while it still names the run
// the candidate's segment ids were matched against ($expected = its basedOn) and no run is queued or running (a run in
// progress takes its ids from the visible run). The SET reads v.runId on its right-hand side, so the pointer is
// locked before it is read: of two publishes at once, the second sees the first one's run and moves nothing. An
// audience run is never published (no row).
MATCH (r:SegmentRun {id: $id})
WHERE r.status = 'succeeded' AND coalesce(r.kind, 'segmentation') = 'segmentation'
MERGE (v:VisibleRun {name: 'segmentation'})
WITH r, v, v.runId AS before, EXISTS { MATCH (:SegmentRun {activeSlot: 'segmentation'}) } AS busy
SET v.runId = CASE WHEN NOT busy AND coalesce(v.runId, '') = coalesce(r.basedOn, '') THEN r.id ELSE v.runId END
WITH r, v, busy, v.runId = r.id AND coalesce(before, '') <> r.id AS moved
SET v.since = CASE WHEN moved THEN datetime() ELSE v.since END,
    r.publishedAt = CASE WHEN moved THEN datetime() ELSE r.publishedAt END
RETURN v.runId AS visibleRunId, moved, busy
