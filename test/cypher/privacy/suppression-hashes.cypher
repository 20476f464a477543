// Test helper: every stored suppression entry, as it is stored (its datetime as text).
MATCH (s:Suppression)
RETURN s {.*, at: toString(s.at)} AS entry
