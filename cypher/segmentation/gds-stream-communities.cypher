// GDS engine: every topic's community at each level (first aggregation first, final last).
CALL gds.graph.nodeProperty.stream($similarity, 'communities')
YIELD nodeId, propertyValue
RETURN gds.util.asNode(nodeId).id AS topic, propertyValue AS levels
