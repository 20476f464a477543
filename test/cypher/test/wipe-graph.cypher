// Test set-up: a batch of whatever nodes the database holds, with their relationships (a file that needs to know
// everything the database holds starts from an empty graph; constraints and indexes stay).
MATCH (n)
WITH n LIMIT 10000
DETACH DELETE n
RETURN count(*) AS deleted
