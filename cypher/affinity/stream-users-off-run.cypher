// After promotion: users the run did not write (created or changed in another process meanwhile), to recompute.
MATCH (u:User)
WHERE u.affinityRunId IS NULL OR u.affinityRunId <> $runId
RETURN u.id AS userId
