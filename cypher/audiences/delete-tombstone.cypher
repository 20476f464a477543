MATCH (t:Tombstone {kind: $kind, id: $id})
DELETE t
