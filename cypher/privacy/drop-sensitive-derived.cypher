// What runs derived from topics now sensitive: their segment memberships and co-interest links, in every run kept.
UNWIND $rows AS id
MATCH (t:Topic {id: id})
CALL (t) {
  OPTIONAL MATCH (t)-[r:IN_SEGMENT]->()
  DELETE r
}
CALL (t) {
  OPTIONAL MATCH (t)-[r:RELATED]-()
  DELETE r
}
RETURN count(t) AS done
