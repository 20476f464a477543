// Only events created by this transaction ($batch) come back: an id seen before is a duplicate.
UNWIND $rows AS row
MERGE (e:Event {id: row.id})
  ON CREATE SET e.at = datetime(row.at), e.batch = $batch
WITH row, e
WHERE e.batch = $batch
RETURN row.id AS id
