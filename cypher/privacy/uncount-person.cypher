// The person no longer counts in the userCount of the segments their interests are in (consenting people were counted).
MATCH (u:User {id: $userId})
WHERE coalesce(u.consentSegmentation, true)
MATCH (u)-[:INTERESTED_IN]->(:Topic)-[:IN_SEGMENT]->(s:Segment)
WITH DISTINCT s
SET s.userCount = CASE WHEN s.userCount > 0 THEN s.userCount - 1 ELSE 0 END
RETURN count(s) AS segments
