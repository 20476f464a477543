// The outcome cohort: everyone who was a member at $since (treated: outside the holdout, so exported; holdout: held
// back), still there and consenting, with their purchases after $since.
MATCH (m:Membership)
WHERE m.audienceId = $id AND m.userId IS NOT NULL AND m.enteredAt <= datetime($since)
  AND (m.exitedAt IS NULL OR m.exitedAt > datetime($since))
WITH DISTINCT m.userId AS userId, m.holdout AS holdout
MATCH (u:User {id: userId})
WHERE coalesce(u.consentSegmentation, true) AND coalesce(u.consentMarketing, true)
CALL (u) {
  OPTIONAL MATCH (u)-[p:PURCHASED]->(:Topic)
  WHERE p.at > datetime($since)
  RETURN count(p) AS purchases, sum(coalesce(toFloat(p.amount), 0.0)) AS revenue
}
RETURN holdout, count(*) AS people, sum(CASE WHEN purchases > 0 THEN 1 ELSE 0 END) AS buyers,
       sum(purchases) AS purchases, sum(revenue) AS revenue
