// How audiences address a user: the crm: identity when there is one, else facebook:, else the user id. Users erased
// or without consent since a rule audience was ranked (it is cached briefly) are left out.
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
WHERE coalesce(u.consentSegmentation, true)
RETURN u.id AS userId,
       COLLECT {
         MATCH (u)<-[:IDENTIFIES]-(i:Identity)
         RETURN i.key ORDER BY CASE i.source WHEN 'crm' THEN 0 WHEN 'facebook' THEN 1 ELSE 2 END, i.key
       }[0] AS address
