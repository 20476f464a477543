// Test cleanup: topics a file created, by id.
UNWIND $ids AS id
MATCH (t:Topic {id: id})
DETACH DELETE t
