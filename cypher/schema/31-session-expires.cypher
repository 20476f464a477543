CREATE INDEX session_expires IF NOT EXISTS FOR (s:Session) ON (s.expiresAt)
