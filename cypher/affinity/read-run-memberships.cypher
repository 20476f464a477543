// Which coarse segment of the run each topic is in (a group's head for its members' topics), with the topic's name (a
// segment of one lists names) and category (insight groups topics by it).
MATCH (t:Topic)-[:IN_SEGMENT]->(s:Segment {runId: $runId})
WHERE coalesce(s.level, 'coarse') = 'coarse'
RETURN t.id AS topicId, coalesce(s.mergedInto, s.id) AS segmentId, t.name AS name, t.category AS category
