// Where active decisions apply in a run, remembered so later runs carry them from there (lineage of one step).
UNWIND $rows AS row
MATCH (d:CurationDecision {id: row.id})
SET d.targets = row.targets, d.targetsRunId = $runId
