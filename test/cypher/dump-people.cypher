// Test-only (test/bulk-load.int.test.ts): everything the import wrote for the people whose CRM identities start with
// $prefix, with each property's Cypher type, so two graphs can be compared value for value and type for type.
MATCH (i:Identity) WHERE i.key STARTS WITH $prefix
MATCH (i)-[:IDENTIFIES]->(u:User)
WITH DISTINCT u
RETURN
  properties(u) AS user,
  labels(u) AS labels,
  [k IN keys(u) | k + ':' + valueType(u[k])] AS userTypes,
  [(u)<-[:IDENTIFIES]-(x:Identity) |
    {sort: x.key, labels: labels(x), props: properties(x), types: [k IN keys(x) | k + ':' + valueType(x[k])]}] AS identities,
  [(u)-[r:INTERESTED_IN]->(t:Topic) |
    {sort: t.key, props: properties(r), types: [k IN keys(r) | k + ':' + valueType(r[k])],
     topic: properties(t), topicLabels: labels(t), topicTypes: [k IN keys(t) | k + ':' + valueType(t[k])]}] AS interests,
  [(u)-[r:PURCHASED]->(t:Topic) |
    {sort: t.key + '|' + r.key, topic: t.key, props: properties(r), types: [k IN keys(r) | k + ':' + valueType(r[k])]}] AS purchases,
  [(u)-[r]-() | type(r)] AS relationships
