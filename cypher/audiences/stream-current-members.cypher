// Who the database says is in the audience now (the evaluator compares a full evaluation with it).
MATCH (m:Membership)
WHERE m.audienceId = $id AND m.userId IS NOT NULL AND m.exitedAt IS NULL
RETURN m.userId AS userId
