// One source's current weights on people's edges: what their only identity of that source contributed so far.
UNWIND $userIds AS userId
MATCH (:User {id: userId})-[r:INTERESTED_IN]->(t:Topic)
WHERE r[$prop] IS NOT NULL
RETURN userId, t.key AS key, r[$prop] AS w, r.lastSeen AS at
