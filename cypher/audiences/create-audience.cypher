// A saved audience: its definition (the rule, as JSON) and holdout; the evaluator fills its members.
CREATE (a:SavedAudience {
  id: $id, name: $name, definition: $definition, holdoutPercent: $holdoutPercent,
  version: 1, seq: 0, memberCount: 0, holdoutCount: 0, exportCount: 0,
  createdAt: datetime(), updatedAt: datetime()
})
RETURN a.id AS id
