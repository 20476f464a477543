// Keyset over (createdAt in ms, id), newest first: a run started meanwhile does not shift later pages.
// Milliseconds on both sides, because the API (and so the cursor) carries createdAt in ms. Population runs only:
// audiences' own segmentations are listed with their audience (never candidates, never visible).
OPTIONAL MATCH (v:VisibleRun {name: 'segmentation'})
WITH v.runId AS visibleId
MATCH (r:SegmentRun)
WHERE coalesce(r.kind, 'segmentation') = 'segmentation'
WITH r, visibleId, r.createdAt.epochMillis AS ms
WHERE $afterMs IS NULL OR ms < $afterMs OR (ms = $afterMs AND r.id < $afterId)
RETURN r {.id, .status, .params, .createdAt, .startedAt, .finishedAt, .metrics, .error, .phase, .publish, .publishedAt,
          .basedOn, .trigger, kind: 'segmentation', visible: r.id = visibleId} AS run
ORDER BY ms DESC, r.id DESC
LIMIT toInteger($limit)
