CREATE INDEX consent_change_at IF NOT EXISTS FOR (c:ConsentChange) ON (c.at)
