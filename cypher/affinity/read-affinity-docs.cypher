// Resolves each address (identity key or own id) and returns the segment of one readers see: the prepared document
// once its run has succeeded (before promotion moves it into place), else the current one. Consent is read here too,
// so a withdrawal shows at once, whatever the stored document still says.
UNWIND $refs AS ref
CALL (ref) {
  MATCH (:Identity {key: ref})-[:IDENTIFIES]->(u:User)
  RETURN u
  UNION
  MATCH (u:User {id: ref})
  RETURN u
}
WITH ref, head(collect(u)) AS u
OPTIONAL MATCH (next:SegmentRun {id: u.affinityNextRunId, status: 'succeeded'})
WITH ref, u, next IS NOT NULL AS nextVisible
RETURN ref, u.id AS userId,
       CASE WHEN nextVisible THEN u.affinityNext ELSE u.affinity END AS doc,
       CASE WHEN nextVisible THEN u.affinityNextRunId ELSE u.affinityRunId END AS runId,
       coalesce(u.consentSegmentation, true) AS consent
