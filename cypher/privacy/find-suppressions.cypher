UNWIND $hashes AS hash
MATCH (s:Suppression {hash: hash})
RETURN s.hash AS hash
