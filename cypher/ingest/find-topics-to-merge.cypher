// Lock-free pre-check: only topics that are missing (or lack a category we can fill) need a write.
UNWIND $topics AS t
OPTIONAL MATCH (x:Topic {key: t.key})
WITH t, x
WHERE x IS NULL OR (x.category IS NULL AND t.category IS NOT NULL)
RETURN t.key AS key
