// The status flip. With $publish the same statement moves the VisibleRun pointer to this run (what makes it visible to
// readers), but only while the pointer still names the run whose segment ids this one continued ($basedOn): otherwise
// its ids would not follow the visible run's lineage, and it stays a candidate. The SET on v reads v.runId on its
// right-hand side, so Neo4j locks the pointer before reading it. An audience run never moves it.
MATCH (r:SegmentRun {id: $id})
WHERE r.status = 'running'
SET r.status = 'succeeded', r.finishedAt = datetime(), r.metrics = $metrics, r.basedOn = $basedOn
REMOVE r.activeSlot, r.phase
MERGE (v:VisibleRun {name: 'segmentation'})
SET v.runId = CASE WHEN $publish AND coalesce(r.kind, 'segmentation') = 'segmentation' AND coalesce(v.runId, '') = coalesce($basedOn, '') THEN r.id ELSE v.runId END
WITH r, v, v.runId = r.id AS visible
SET v.since = CASE WHEN visible THEN datetime() ELSE v.since END,
    r.publishedAt = CASE WHEN visible THEN datetime() ELSE null END
RETURN r.id AS id, visible
