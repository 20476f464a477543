// Only events created by this transaction ($batch) come back: an id seen before is a duplicate. The event keeps the
// person's user id so that erasing them removes the ids of their events too.
UNWIND $rows AS row
MERGE (e:Event {id: row.id})
  ON CREATE SET e.at = datetime(row.at), e.batch = $batch, e.userId = row.userId
WITH row, e
WHERE e.batch = $batch
RETURN row.id AS id
