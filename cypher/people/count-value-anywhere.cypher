// Used by tests to prove a secret (an access token) was not kept: any node or relationship property containing it.
CALL {
  MATCH (n)
  WHERE any(k IN keys(n) WHERE (n[k] IS :: STRING AND n[k] CONTAINS $value)
                           OR (n[k] IS :: LIST<STRING NOT NULL> AND any(s IN n[k] WHERE s CONTAINS $value)))
  RETURN count(n) AS hits
  UNION ALL
  MATCH ()-[r]->()
  WHERE any(k IN keys(r) WHERE (r[k] IS :: STRING AND r[k] CONTAINS $value)
                           OR (r[k] IS :: LIST<STRING NOT NULL> AND any(s IN r[k] WHERE s CONTAINS $value)))
  RETURN count(r) AS hits
}
RETURN sum(hits) AS hits
