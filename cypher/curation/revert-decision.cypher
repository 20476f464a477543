// A decision stops applying; it stays, with who reverted it and when. `status` tells reverted (by a person) from
// replaced (a newer granularity).
MATCH (d:CurationDecision {id: $id})
WHERE d.status = 'active'
SET d.status = $status, d.revertedAt = datetime(), d.revertedByKeyId = $by.keyId, d.revertedByName = $by.name,
    d.revertedByRole = $by.role
RETURN d.id AS id
