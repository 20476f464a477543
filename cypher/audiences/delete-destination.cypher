// Its queue and deliveries are purged in batches (tombstone), like a deleted audience's.
MATCH (d:Destination {id: $id, audienceId: $audienceId})
CREATE (:Tombstone {kind: 'destination', id: d.id, at: datetime()})
DETACH DELETE d
RETURN 1 AS deleted
