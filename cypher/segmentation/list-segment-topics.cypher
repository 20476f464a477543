MATCH (s:Segment {uid: $runId + '/' + $id})<-[i:IN_SEGMENT]-(t:Topic)
RETURN t.id AS id, t.name AS name, t.category AS category, i.score AS score
ORDER BY i.score DESC, t.id
SKIP toInteger($skip) LIMIT toInteger($limit)
