// One trigger per schedule tick across every process: the first to move lastTickMs past $tickMs queues the run. The
// first SET takes the policy's write lock, so the WHERE reads what a concurrent claimer committed.
MATCH (p:RefreshPolicy {name: 'segmentation'})
SET p.claiming = true
REMOVE p.claiming
WITH p
WHERE coalesce(p.lastTickMs, 0) < $tickMs
SET p.lastTickMs = $tickMs
RETURN true AS claimed
