// One keyset page of a segment's audience, by affinity (descending) then user id; consent withdrawn is excluded.
MATCH (s:Segment {uid: $runId + '/' + $segmentId})<-[a:AFFINITY]-(u:User)
WHERE a.affinity >= $minAffinity AND a.lift >= $minLift AND coalesce(u.consentSegmentation, true)
  AND ($afterAffinity IS NULL OR a.affinity < $afterAffinity OR (a.affinity = $afterAffinity AND u.id > $afterUser))
WITH u, a
ORDER BY a.affinity DESC, u.id ASC
LIMIT toInteger($limit)
RETURN u.id AS userId, a.affinity AS affinity, a.lift AS lift,
       COLLECT {
         MATCH (u)<-[:IDENTIFIES]-(i:Identity)
         RETURN i.key ORDER BY CASE i.source WHEN 'crm' THEN 0 WHEN 'facebook' THEN 1 ELSE 2 END, i.key
       }[0] AS address
