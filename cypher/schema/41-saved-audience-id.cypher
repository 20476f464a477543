CREATE CONSTRAINT saved_audience_id IF NOT EXISTS FOR (a:SavedAudience) REQUIRE a.id IS UNIQUE
