// The documents prepared for a run that is about to become visible, with their addresses: filled into the cache
// that replaces the current one when the run succeeds.
MATCH (u:User)
WHERE u.affinityNextRunId = $runId
RETURN u.id AS userId, u.affinityNext AS doc, $runId AS runId, coalesce(u.consentSegmentation, true) AS consent,
       [(u)<-[:IDENTIFIES]-(i:Identity) | i.key] AS keys
