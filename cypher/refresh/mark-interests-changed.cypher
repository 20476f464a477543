// When people's interests (or consent) last changed, for the refresh policy's drift: the share of people changed since
// the visible run started. Written by the process that made the change (the interestsChanged hook).
UNWIND $userIds AS id
MATCH (u:User {id: id})
SET u.interestsChangedAt = datetime()
