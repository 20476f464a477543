// A segment named after topics that went with an erased person: named after the top topics that remain.
UNWIND $rows AS row
MATCH (s:Segment {uid: row.uid})
SET s.topTopics = row.topTopics, s.label = row.label
