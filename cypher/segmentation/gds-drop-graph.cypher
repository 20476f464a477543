// GDS engine: frees an in-memory GDS graph (no error when it is already gone).
CALL gds.graph.drop($graph, false)
YIELD graphName
RETURN graphName
