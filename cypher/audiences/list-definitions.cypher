// Every saved audience as the evaluator needs it (a short list: definitions, not members).
MATCH (a:SavedAudience)
RETURN a.id AS id, a.definition AS definition, a.holdoutPercent AS holdoutPercent, a.version AS version,
       a.evaluatedVersion AS evaluatedVersion, a.evaluatedRunId AS evaluatedRunId
ORDER BY a.createdAt, a.id
