// GDS engine: the kept similarity edges, each pair once.
CALL gds.graph.relationshipProperty.stream($similarity, 'weight')
YIELD sourceNodeId, targetNodeId, propertyValue
WITH sourceNodeId, targetNodeId, propertyValue
WHERE sourceNodeId < targetNodeId
RETURN gds.util.asNode(sourceNodeId).id AS a, gds.util.asNode(targetNodeId).id AS b, propertyValue AS weight
