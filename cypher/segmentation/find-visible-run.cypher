// The run readers see: the one the VisibleRun pointer names (moved by a run completing with publish, or by
// POST /v1/segmentation/runs/:id/publish); no row or a null runId before the first. With the curation sequence its
// segments reflect (a curation change is a new version of the same run).
MATCH (v:VisibleRun {name: 'segmentation'})
OPTIONAL MATCH (r:SegmentRun {id: v.runId})
RETURN v.runId AS runId, coalesce(r.curationSeq, 0) AS curationSeq
