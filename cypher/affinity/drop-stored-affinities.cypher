// Affinities are computed on read: what older versions stored per person per run (AFFINITY edges, User.affinity*)
// is removed in bounded batches, once, in the background.
CALL () {
  MATCH ()-[a:AFFINITY]->()
  WITH a LIMIT toInteger($limit)
  DELETE a
  RETURN count(*) AS edges
}
CALL () {
  MATCH (u:User)
  WHERE u.affinity IS NOT NULL OR u.affinityRunId IS NOT NULL OR u.affinityNext IS NOT NULL OR u.affinityNextRunId IS NOT NULL
  WITH u LIMIT toInteger($limit)
  REMOVE u.affinity, u.affinityRunId, u.affinityNext, u.affinityNextRunId
  RETURN count(*) AS users
}
RETURN edges + users AS done
