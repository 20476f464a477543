// The audience and its destinations go now; memberships, queued events and deliveries are purged in batches by the
// evaluator (tombstones), so a large audience does not make this one huge transaction.
MATCH (a:SavedAudience {id: $id})
OPTIONAL MATCH (d:Destination {audienceId: a.id})
WITH a, collect(d) AS destinations
FOREACH (d IN destinations | CREATE (:Tombstone {kind: 'destination', id: d.id, at: datetime()}) DETACH DELETE d)
CREATE (:Tombstone {kind: 'audience', id: a.id, at: datetime()})
DETACH DELETE a
RETURN 1 AS deleted
