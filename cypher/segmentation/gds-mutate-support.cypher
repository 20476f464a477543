// GDS engine: each topic's support (users behind it, after the per-user cap) as the node property `support`.
CALL gds.degree.mutate($graph, {orientation: 'NATURAL', mutateProperty: 'support', concurrency: toInteger($concurrency)})
YIELD nodePropertiesWritten
RETURN nodePropertiesWritten
