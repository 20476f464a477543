// Every user, one row each, for a full recompute: everyone gets a document for the new run (an empty one without
// consent or segmented interest). Interests of users without consent are not read at all.
MATCH (u:User)
WITH u, coalesce(u.consentSegmentation, true) AS consent
RETURN u.id AS userId,
       consent,
       CASE WHEN consent
         THEN [(u)-[i:INTERESTED_IN]->(t:Topic) WHERE i.weight > 0 | {topicId: t.id, name: t.name, weight: toFloat(i.weight)}]
         ELSE [] END AS interests,
       CASE WHEN consent THEN [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] ELSE [] END AS removed
