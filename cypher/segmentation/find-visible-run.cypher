// The run readers see: the one the VisibleRun pointer names (moved by a run completing with publish, or by
// POST /v1/segmentation/runs/:id/publish); no row or a null runId before the first.
MATCH (v:VisibleRun {name: 'segmentation'})
RETURN v.runId AS runId
