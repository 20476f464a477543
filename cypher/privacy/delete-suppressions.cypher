// The person came back through their own login: what they signed in with is no longer suppressed.
UNWIND $hashes AS hash
MATCH (s:Suppression {hash: hash})
DELETE s
RETURN count(*) AS lifted
