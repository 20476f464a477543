CREATE CONSTRAINT refresh_policy_name IF NOT EXISTS FOR (p:RefreshPolicy) REQUIRE p.name IS UNIQUE
