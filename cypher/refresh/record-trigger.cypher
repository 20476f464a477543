// What the policy last did: the run it queued, or why it queued none ($runId null, $skipped says why).
MATCH (p:RefreshPolicy {name: 'segmentation'})
SET p.lastTrigger = $trigger, p.lastTriggeredAt = datetime(),
    p.lastRunId = coalesce($runId, p.lastRunId), p.lastSkipped = $skipped
