MATCH (s:Segment {uid: $runId + '/' + $segmentId})<-[a:AFFINITY]-(u:User)
WHERE a.affinity >= $minAffinity AND a.lift >= $minLift AND coalesce(u.consentSegmentation, true)
RETURN u.id AS userId, a.affinity AS affinity, a.lift AS lift
