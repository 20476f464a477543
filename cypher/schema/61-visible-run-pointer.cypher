// The visible run is explicit: one VisibleRun node names the run readers see (a candidate run succeeds without
// becoming visible). Databases made before it showed "the newest succeeded run"; that is where the pointer starts.
// Applied at every start: an existing pointer is never moved here.
OPTIONAL MATCH (r:SegmentRun {status: 'succeeded'})
WHERE coalesce(r.kind, 'segmentation') = 'segmentation'
WITH r ORDER BY r.createdAt DESC LIMIT 1
WITH r.id AS newest
MERGE (v:VisibleRun {name: 'segmentation'})
  ON CREATE SET v.runId = newest, v.since = datetime()
