MATCH (d:CurationDecision {id: $id})
RETURN d {.*} AS decision
