UNWIND $rows AS row
MATCH (s:Segment {uid: $runId + '/' + row.id})
SET s.curated = true, s.autoLabel = s.label, s.label = row.label, s.labelSource = row.source,
    s.labelDecision = row.decisionId, s.labelNote = row.note
