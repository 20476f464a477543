// Serialises curation writes: the SET takes the log's write lock before its sequence is read, so two processes that
// change curation at once apply their changes one after the other (the second sees the first one's sequence).
MERGE (l:CurationLog {name: 'curation'})
ON CREATE SET l.seq = 0
SET l.lockedAt = datetime()
RETURN l.seq AS seq
