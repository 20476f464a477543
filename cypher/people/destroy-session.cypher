MATCH (s:Session {sid: $sid})
DELETE s
