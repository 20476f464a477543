// A failed run's AFFINITY edges (usually gone with its segments already; a crashed run may have left them).
MATCH (:Segment {runId: $runId})<-[a:AFFINITY]-(:User)
WITH a LIMIT toInteger($limit)
DELETE a
RETURN count(a) AS done
