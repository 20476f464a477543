// GDS engine: in-memory GDS graphs whose name starts with $prefix (left behind by a process that died mid-run).
CALL gds.graph.list()
YIELD graphName
WITH graphName
WHERE graphName STARTS WITH $prefix
RETURN graphName
