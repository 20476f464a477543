CREATE INDEX user_email_hash IF NOT EXISTS FOR (u:User) ON (u.emailHash)
