// Newest first, keyset on seq; $status null lists every decision.
MATCH (d:CurationDecision)
WHERE ($status IS NULL OR d.status = $status) AND ($beforeSeq IS NULL OR d.seq < $beforeSeq)
RETURN d {.*} AS decision
ORDER BY d.seq DESC
LIMIT toInteger($limit)
