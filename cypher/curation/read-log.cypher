OPTIONAL MATCH (l:CurationLog {name: 'curation'})
RETURN coalesce(l.seq, 0) AS seq
