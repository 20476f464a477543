CREATE CONSTRAINT suppression_hash IF NOT EXISTS FOR (s:Suppression) REQUIRE s.hash IS UNIQUE
