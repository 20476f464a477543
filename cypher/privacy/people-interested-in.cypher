// People interested in any of these topics: their in-memory interests must be reloaded.
UNWIND $topicIds AS id
MATCH (:Topic {id: id})<-[:INTERESTED_IN]-(u:User)
RETURN DISTINCT u.id AS userId
