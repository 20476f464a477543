// Classifies a batch before writing: which identities exist, and which new ones stitch to a user by email hash.
UNWIND $rows AS row
OPTIONAL MATCH (i:Identity {key: row.key})
OPTIONAL MATCH (byEmail:User {emailHash: row.emailHash})
RETURN row.idx AS idx, i IS NOT NULL AS identityExists, count(byEmail) > 0 AS emailKnown
