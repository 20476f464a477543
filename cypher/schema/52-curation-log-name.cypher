CREATE CONSTRAINT curation_log_name IF NOT EXISTS FOR (l:CurationLog) REQUIRE l.name IS UNIQUE
