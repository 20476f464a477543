// Inside a transaction that holds the log's lock (lock-log): the next decision's sequence number.
MATCH (l:CurationLog {name: 'curation'})
SET l.seq = l.seq + 1
RETURN l.seq AS seq
