// GDS engine: the topics that take part (support >= $minSupport) and their support.
CALL gds.graph.nodeProperty.stream($graph, 'support', ['Topic'])
YIELD nodeId, propertyValue
WITH nodeId, propertyValue
WHERE propertyValue >= $minSupport
RETURN gds.util.asNode(nodeId).id AS topic, toInteger(propertyValue) AS support
