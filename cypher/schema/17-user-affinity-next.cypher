CREATE INDEX user_affinity_next IF NOT EXISTS FOR (u:User) ON (u.affinityNextRunId)
