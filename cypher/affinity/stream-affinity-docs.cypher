// Every segment of one readers see (same choice as read-affinity-docs), with the addresses it is read by: warms the
// in-process cache.
MATCH (u:User)
WHERE u.affinity IS NOT NULL OR u.affinityNext IS NOT NULL
OPTIONAL MATCH (next:SegmentRun {id: u.affinityNextRunId, status: 'succeeded'})
WITH u, next IS NOT NULL AS nextVisible
WITH u,
     CASE WHEN nextVisible THEN u.affinityNext ELSE u.affinity END AS doc,
     CASE WHEN nextVisible THEN u.affinityNextRunId ELSE u.affinityRunId END AS runId
WHERE doc IS NOT NULL
RETURN u.id AS userId, doc, runId, coalesce(u.consentSegmentation, true) AS consent,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
