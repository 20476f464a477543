// Drift since $since: people whose interests changed since then (index user_interests_changed_at), and everyone (the
// count store).
CALL () {
  MATCH (u:User)
  RETURN count(u) AS people
}
CALL () {
  MATCH (u:User)
  WHERE u.interestsChangedAt >= datetime($since)
  RETURN count(u) AS changed
}
RETURN people, changed
