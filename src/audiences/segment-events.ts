/**
 * `segment.split` and `segment.merged` for a saved audience's destinations when a new run becomes visible: the run's
 * stability metrics (src/segmentation/stability.ts) list which previous segments split into several and which new
 * segments took in several old ones; an audience hears of those that involve a segment its rule names. Pure.
 */
import { isSegment, leaves, type Rule } from '../affinity/rules.js';
import type { SegmentEventRow } from './audience-repository.js';

interface Stability {
  previousRunId?: string | null;
  split?: Array<{ id: string; into: string[] }>;
  merged?: Array<{ id: string; from: string[] }>;
}

export function segmentEvents(run: { id: string; metrics?: Record<string, unknown> } | undefined, rule: Rule): SegmentEventRow[] {
  const stability = run?.metrics?.stability as Stability | undefined;
  if (!run || !stability) return [];
  const named = new Set(
    leaves(rule)
      .filter(isSegment)
      .map((l) => l.segment),
  );
  const previousRunId = stability.previousRunId ?? null;
  const out: SegmentEventRow[] = [];
  for (const s of stability.split ?? []) {
    if (named.has(s.id) || s.into.some((id) => named.has(id))) {
      out.push({ type: 'segment.split', data: JSON.stringify({ runId: run.id, previousRunId, segmentId: s.id, into: s.into }) });
    }
  }
  for (const m of stability.merged ?? []) {
    if (named.has(m.id) || m.from.some((id) => named.has(id))) {
      out.push({ type: 'segment.merged', data: JSON.stringify({ runId: run.id, previousRunId, segmentId: m.id, from: m.from }) });
    }
  }
  return out;
}
