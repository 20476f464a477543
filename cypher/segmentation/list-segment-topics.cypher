// A group's head lists the topics of every member (curation, granularity); a hidden member lists nothing.
MATCH (s:Segment {runId: $runId})
WHERE (s.id = $id AND s.mergedInto IS NULL) OR s.mergedInto = $id
MATCH (s)<-[i:IN_SEGMENT]-(t:Topic)
RETURN t.id AS id, t.name AS name, t.category AS category, i.score AS score
ORDER BY i.score DESC, t.id
SKIP toInteger($skip) LIMIT toInteger($limit)
