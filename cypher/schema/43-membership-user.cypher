CREATE INDEX membership_user IF NOT EXISTS FOR (m:Membership) ON (m.userId)
