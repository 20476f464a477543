// Test helper: when a run's heartbeat was last written (epoch ms) and the phase it carried.
MATCH (r:SegmentRun {id: $id})
RETURN r.heartbeatAt.epochMillis AS at, r.phase AS phase
