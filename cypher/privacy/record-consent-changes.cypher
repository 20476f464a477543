// Consent history: who changed which purpose when. Nothing about the person but their (random) user id.
UNWIND $rows AS row
CREATE (:ConsentChange {userId: row.userId, purpose: row.purpose, granted: row.granted, by: $by, at: datetime()})
