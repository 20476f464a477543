CREATE (d:CurationDecision {
  id: $id, seq: $seq, kind: $kind, status: 'active', segmentIds: $segmentIds, label: $label, topicId: $topicId,
  granularity: $granularity, runId: $runId, targets: $targets, targetsRunId: $targetsRunId, at: datetime(),
  byKeyId: $by.keyId, byName: $by.name, byRole: $by.role
})
RETURN d.id AS id
