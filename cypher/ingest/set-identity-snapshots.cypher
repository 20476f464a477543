// Per-identity snapshots of people with several identities of one source (see src/ingest/snapshots.ts).
UNWIND $rows AS row
MATCH (i:Identity {key: row.key})
SET i.snapshot = row.snapshot
