// A new definition is a new version: the evaluator re-evaluates everyone against it. A new name changes nothing else.
MATCH (a:SavedAudience {id: $id})
SET a.name = coalesce($name, a.name),
    a.version = a.version + CASE WHEN $definition IS NULL OR $definition = a.definition THEN 0 ELSE 1 END,
    a.definition = coalesce($definition, a.definition),
    a.updatedAt = datetime()
RETURN a.id AS id, a.name AS name, a.definition AS definition, a.holdoutPercent AS holdoutPercent,
       a.version AS version, toString(a.createdAt) AS createdAt, toString(a.updatedAt) AS updatedAt,
       a.evaluatedVersion AS evaluatedVersion, a.evaluatedRunId AS evaluatedRunId, toString(a.evaluatedAt) AS evaluatedAt,
       a.memberCount AS memberCount, a.holdoutCount AS holdoutCount,
       toString(a.firstExportedAt) AS firstExportedAt, toString(a.lastExportedAt) AS lastExportedAt,
       a.exportCount AS exportCount, COUNT { MATCH (d:Destination {audienceId: a.id}) } AS destinations
