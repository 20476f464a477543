// Benchmark, test and demo loader only (the product path is POST /v1/imports/profiles): planted topics, keyed as ingestion keys them.
UNWIND $rows AS row
MERGE (t:Topic {id: row.id})
ON CREATE SET t.key = row.key, t.name = row.name, t.category = row.category
