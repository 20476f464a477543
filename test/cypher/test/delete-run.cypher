MATCH (r:SegmentRun {id: $id})
DETACH DELETE r
