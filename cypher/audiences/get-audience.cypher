MATCH (a:SavedAudience {id: $id})
RETURN a.id AS id, a.name AS name, a.definition AS definition, a.holdoutPercent AS holdoutPercent,
       a.version AS version, toString(a.createdAt) AS createdAt, toString(a.updatedAt) AS updatedAt,
       a.evaluatedVersion AS evaluatedVersion, a.evaluatedRunId AS evaluatedRunId, toString(a.evaluatedAt) AS evaluatedAt,
       a.memberCount AS memberCount, a.holdoutCount AS holdoutCount,
       toString(a.firstExportedAt) AS firstExportedAt, toString(a.lastExportedAt) AS lastExportedAt,
       a.exportCount AS exportCount, COUNT { MATCH (d:Destination {audienceId: a.id}) } AS destinations
