// Every category topics carry, as spelled (few: categories are shared by many topics); matched by key in the caller.
MATCH (t:Topic)
WHERE t.category IS NOT NULL
RETURN DISTINCT t.category AS category
