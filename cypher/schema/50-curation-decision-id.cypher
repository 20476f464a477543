CREATE CONSTRAINT curation_decision_id IF NOT EXISTS FOR (d:CurationDecision) REQUIRE d.id IS UNIQUE
