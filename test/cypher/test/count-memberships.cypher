MATCH (m:Membership)
WHERE m.audienceId = $audienceId AND m.userId IS NOT NULL
RETURN count(m) AS n
