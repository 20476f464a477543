CREATE CONSTRAINT curation_decision_seq IF NOT EXISTS FOR (d:CurationDecision) REQUIRE d.seq IS UNIQUE
