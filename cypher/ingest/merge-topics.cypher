UNWIND $topics AS t
MERGE (x:Topic {key: t.key})
  ON CREATE SET x.id = t.id, x.name = t.name, x.category = t.category
WITH x, t
WHERE x.category IS NULL AND t.category IS NOT NULL
SET x.category = t.category
