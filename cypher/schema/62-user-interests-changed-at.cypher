CREATE INDEX user_interests_changed_at IF NOT EXISTS FOR (u:User) ON (u.interestsChangedAt)
