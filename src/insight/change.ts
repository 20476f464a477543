/**
 * How a segment changed since the previous run, from what the run recorded (metrics.stability: the Jaccard topic
 * overlap with the segment whose id it kept, splits, merges, appearances) and both runs' segment sizes. Pure.
 */
import type { RunStabilityRecord, SegmentSummary } from './insight-repository.js';

export interface SegmentChange {
  /** null on a first run (nothing to compare with). */
  previousRunId: string | null;
  /** `kept`: it carries the id of a previous segment; `new`: no previous segment matches it. */
  status: 'first-run' | 'kept' | 'new';
  previousId: string | null;
  /** Jaccard overlap of its topics with the previous segment of the same id. */
  topicOverlap: number | null;
  /** Previous segments that split, one part becoming this one (≥ 25% of their topics here and in another). */
  splitFrom: Array<{ id: string; label: string | null; into: string[] }>;
  /** Previous segments merged into this one (≥ 25% of each of them here). */
  mergedFrom: Array<{ id: string; label: string | null }>;
  /** The previous segment of the same id as that run recorded it (retention keeps the newest 5 runs). */
  previous: { label: string; userCount: number; topicCount: number } | null;
  /** People with an interest in it when each run was computed, and the difference. */
  userCount: number | null;
  userCountChange: number | null;
}

export function segmentChange(
  segmentId: string,
  stability: RunStabilityRecord | null,
  current: readonly SegmentSummary[],
  previous: readonly SegmentSummary[],
): SegmentChange {
  const now = current.find((s) => s.id === segmentId);
  const base: SegmentChange = {
    previousRunId: stability?.previousRunId ?? null,
    status: 'first-run',
    previousId: null,
    topicOverlap: null,
    splitFrom: [],
    mergedFrom: [],
    previous: null,
    userCount: now?.userCount ?? null,
    userCountChange: null,
  };
  if (!stability?.previousRunId) return base;
  const labelOf = (id: string) => previous.find((p) => p.id === id)?.label ?? null;
  const own = stability.segments.find((s) => s.id === segmentId);
  const kept = own?.previousId != null && !stability.appeared.includes(segmentId);
  const before = kept ? previous.find((p) => p.id === own!.previousId) : undefined;
  return {
    ...base,
    status: kept ? 'kept' : 'new',
    previousId: kept ? own!.previousId : null,
    topicOverlap: kept ? own!.overlap : null,
    splitFrom: stability.split.filter((x) => x.into.includes(segmentId)).map((x) => ({ id: x.id, label: labelOf(x.id), into: x.into })),
    mergedFrom: (stability.merged.find((m) => m.id === segmentId)?.from ?? []).map((id) => ({ id, label: labelOf(id) })),
    previous: before ? { label: before.label, userCount: before.userCount, topicCount: before.topicCount } : null,
    userCountChange: before && now ? now.userCount - before.userCount : null,
  };
}
