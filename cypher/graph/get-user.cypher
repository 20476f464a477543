MATCH (u:User {id: $userId})
OPTIONAL MATCH (i:Identity)-[:IDENTIFIES]->(u)
WITH u, i ORDER BY i.key
RETURN u.id AS id, u.name AS name, coalesce(u.consentSegmentation, true) AS consentSegmentation,
       coalesce(u.consentPersonalization, true) AS consentPersonalization, coalesce(u.consentMarketing, true) AS consentMarketing,
       u.createdAt AS createdAt, collect(i.key) AS identities
