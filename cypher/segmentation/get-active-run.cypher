MATCH (r:SegmentRun {activeSlot: 'segmentation'})
RETURN r.id AS id, r.status AS status
