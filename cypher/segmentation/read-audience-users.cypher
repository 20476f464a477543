// The members an audience run segments (resolved when it was queued).
MATCH (r:SegmentRun {id: $id})
RETURN coalesce(r.audienceUsers, []) AS userIds
