// Topics that went with an erased person: the topic (name, category), its segment memberships and co-interest links.
// The segments that held them are returned with their label and top topics, for the caller to drop the names from.
UNWIND $topicIds AS id
MATCH (t:Topic {id: id})
OPTIONAL MATCH (t)-[:IN_SEGMENT]->(s:Segment)
WITH t, collect(s) AS segments
DETACH DELETE t
WITH segments
UNWIND segments AS s
WITH DISTINCT s
SET s.topicCount = COUNT { (:Topic)-[:IN_SEGMENT]->(s) }
RETURN s.uid AS uid, s.runId AS runId, s.id AS segmentId, s.label AS label, coalesce(s.other, false) AS other, s.topTopics AS topTopics
