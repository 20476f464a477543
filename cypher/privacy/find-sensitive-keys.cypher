// Which of these topic keys name something sensitive: a sensitive topic, or a marked category.
UNWIND $keys AS key
WITH key
WHERE EXISTS { MATCH (t:Topic {key: key}) WHERE t.sensitive } OR EXISTS { MATCH (:SensitiveCategory {key: key}) }
RETURN key
