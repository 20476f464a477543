// A topic filed under a category marked sensitive is sensitive from then on (t.categoryKey: the category's key).
UNWIND $topics AS t
MERGE (x:Topic {key: t.key})
  ON CREATE SET x.id = t.id, x.name = t.name
WITH x, t
WHERE x.category IS NULL AND t.category IS NOT NULL
SET x.category = t.category
WITH x, t
WHERE EXISTS { MATCH (:SensitiveCategory {key: t.categoryKey}) }
SET x.sensitiveCategory = true, x.sensitive = true
