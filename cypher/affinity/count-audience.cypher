// How many people a segment's audience holds at these thresholds (same filter as read-audience-page).
MATCH (s:Segment {uid: $runId + '/' + $segmentId})<-[a:AFFINITY]-(u:User)
WHERE a.affinity >= $minAffinity AND a.lift >= $minLift AND coalesce(u.consentSegmentation, true)
RETURN count(*) AS total
