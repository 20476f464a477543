// Test helper: RELATED edges a run wrote that are still in the graph.
MATCH ()-[r:RELATED {runId: $runId}]->()
RETURN count(r) AS n
