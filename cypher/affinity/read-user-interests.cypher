// The users an incremental update recomputes, with the run their prepared (not yet visible) document belongs to.
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
OPTIONAL MATCH (next:SegmentRun {id: u.affinityNextRunId})
RETURN u.id AS userId,
       coalesce(u.consentSegmentation, true) AS consent,
       [(u)-[i:INTERESTED_IN]->(t:Topic) WHERE i.weight > 0 | {topicId: t.id, name: t.name, weight: toFloat(i.weight)}] AS interests,
       [(u)-[:REMOVED_INTEREST]->(t:Topic) | t.id] AS removed,
       u.affinityNextRunId AS nextRunId,
       next.status AS nextStatus
