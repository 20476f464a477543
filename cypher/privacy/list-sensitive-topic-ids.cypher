// Every topic that is sensitive now (marked itself or by its category): each API process holds these ids.
MATCH (t:Topic)
WHERE t.sensitive
RETURN t.id AS id
