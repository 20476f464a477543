// One row per segment with its topics: one segment lookup per row, then index seeks on Topic.id.
UNWIND $rows AS row
MATCH (s:Segment {uid: row.uid})
UNWIND row.topics AS x
MATCH (t:Topic {id: x.id})
// Marked sensitive while the run computed: kept out all the same.
WHERE NOT coalesce(t.sensitive, false)
CREATE (t)-[:IN_SEGMENT {runId: $runId, score: x.score}]->(s)
