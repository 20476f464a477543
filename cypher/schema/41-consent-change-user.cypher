CREATE INDEX consent_change_user IF NOT EXISTS FOR (c:ConsentChange) ON (c.userId)
