CREATE INDEX membership_audience_user IF NOT EXISTS FOR (m:Membership) ON (m.audienceId, m.userId)
