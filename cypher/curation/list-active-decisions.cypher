MATCH (d:CurationDecision {status: 'active'})
RETURN d {.*} AS decision
ORDER BY d.seq
