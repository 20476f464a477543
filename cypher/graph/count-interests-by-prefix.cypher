// Benchmark check: users and interest edges of the CRM identities whose externalId starts with $prefix.
MATCH (i:Identity)-[:IDENTIFIES]->(u:User)
WHERE i.key STARTS WITH 'crm:' + $prefix
RETURN count(u) AS users, sum(COUNT { (u)-[:INTERESTED_IN]->() }) AS edges
