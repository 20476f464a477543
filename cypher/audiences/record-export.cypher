// An export (CSV download, or a delivery of entered members): the first one starts the outcome report's clock.
MATCH (a:SavedAudience {id: $id})
SET a.firstExportedAt = coalesce(a.firstExportedAt, datetime()), a.lastExportedAt = datetime(),
    a.exportCount = a.exportCount + 1
RETURN toString(a.firstExportedAt) AS firstExportedAt
