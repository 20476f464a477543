// Test-only (test/candidate-runs.int.test.ts): every person's id, to read everyone's segment of one through the API.
MATCH (u:User)
RETURN u.id AS id
ORDER BY id
