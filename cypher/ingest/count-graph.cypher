// What the initial bulk load checks before (an empty graph: no people, topics, events or API keys beyond the bootstrap
// admin key, which every start writes again) and reports after. Label and type counts come from the count store.
CALL () { MATCH (n:User) RETURN count(n) AS users }
CALL () { MATCH (n:Identity) RETURN count(n) AS identities }
CALL () { MATCH (n:Topic) RETURN count(n) AS topics }
CALL () { MATCH (n:Event) RETURN count(n) AS events }
CALL () { MATCH (k:ApiKey) WHERE k.id <> 'bootstrap-admin' RETURN count(k) AS apiKeys }
CALL () { MATCH ()-[r:INTERESTED_IN]->() RETURN count(r) AS interests }
CALL () { MATCH ()-[r:PURCHASED]->() RETURN count(r) AS purchases }
RETURN users, identities, topics, events, apiKeys, interests, purchases
