import { ApiError, getJson, type Run, type Segment, type SegmentList } from './api.js';
import { fmtPercent } from './dom.js';
import { colourOf } from './dom.js';

export interface Segments {
  runId: string | null;
  items: Segment[];
  colours: Map<string, string>;
}

/** The visible run's segments; "no succeeded run yet" is an empty list, not an error. */
export async function loadSegments(signal?: AbortSignal): Promise<Segments> {
  try {
    const list = await getJson<SegmentList>('/v1/segments', { signal });
    return { runId: list.runId ?? null, items: list.items, colours: new Map(list.items.map((s, i) => [s.id, colourOf(i)])) };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { runId: null, items: [], colours: new Map() };
    throw err;
  }
}

export async function loadRun(runId: string, signal?: AbortSignal): Promise<Run | undefined> {
  try {
    return await getJson<Run>(`/v1/segmentation/runs/${encodeURIComponent(runId)}`, { signal });
  } catch (err) {
    // A content key may read segments but not runs: the list still works without run metrics.
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) return undefined;
    throw err;
  }
}

/** How runs compare (GET /v1/segmentation/runs/:id → metrics.stability, coarse segments). */
export interface RunStability {
  previousRunId: string | null;
  nmi: number | null;
  sharedTopics?: number;
  segments: Array<{ id: string; overlap: number; previousId: string | null }>;
  split: Array<{ id: string; into: string[] }>;
  merged: Array<{ id: string; from: string[] }>;
  appeared: string[];
  vanished: string[];
}

export function runStability(metrics: Record<string, unknown> | undefined): RunStability | undefined {
  const s = metrics?.stability as RunStability | undefined;
  return s && typeof s === 'object' && Array.isArray(s.segments) ? s : undefined;
}

export interface SegmentStability {
  /** Jaccard overlap of topics with the segment of the previous run whose id it kept; undefined when new. */
  overlap?: number;
  text: string;
  title: string;
}

/** One segment's stability since the previous run, worded for the segment list. */
export function stabilityOf(segmentId: string, st: RunStability | undefined): SegmentStability {
  if (!st) return { text: '—', title: 'The run recorded no stability' };
  if (!st.previousRunId) return { text: 'first run', title: 'No earlier run to compare with' };
  const own = st.segments.find((x) => x.id === segmentId);
  const notes: string[] = [];
  const merged = st.merged.find((m) => m.id === segmentId);
  if (merged) notes.push(`merged from ${merged.from.length}`);
  const splitFrom = st.split.filter((x) => x.into.includes(segmentId));
  if (splitFrom.length) notes.push('split off');
  if (!own || own.previousId === null || st.appeared.includes(segmentId)) {
    return { text: ['new', ...notes].join(', '), title: 'No segment of the previous run matches this one' };
  }
  return {
    overlap: own.overlap,
    text: [`${Math.round(own.overlap * 100)}%`, ...notes].join(', '),
    title: `${Math.round(own.overlap * 100)}% of topics shared with the same segment in run ${st.previousRunId} (Jaccard)`,
  };
}

export interface QualityRow {
  name: string;
  value: string;
  title: string;
}

/** Whether a segment is significant, worded for the segment list ("—" when the run measured no quality). */
export function significanceOf(seg: Segment): { text: string; title: string } {
  const q = seg.quality;
  if (!q) return { text: '—', title: 'The run measured no quality for this segment' };
  if (seg.other) return { text: 'bucket', title: 'Topics with no evidence of where they belong: never a finding' };
  return q.significant
    ? {
        text: 'yes',
        title: `People hold its topics together ${q.cohesion.toFixed(1)}× as often as chance; far beyond what chance produces`,
      }
    : { text: 'no', title: 'Its co-interest could come from people picking topics independently' };
}

/** A segment's quality as the segment page lists it; empty when the run measured none. */
export function qualityRows(seg: Segment): QualityRow[] {
  const q = seg.quality;
  if (!q) return [];
  const sig = significanceOf(seg);
  return [
    { name: 'Significant', value: sig.text, title: sig.title },
    {
      name: 'Cohesion',
      value: `${q.cohesion.toFixed(1)}×`,
      title: 'How many times more often than chance a person holding one of its topics holds another one',
    },
    {
      name: 'Conductance',
      value: fmtPercent(q.conductance),
      title: 'Share of its topics’ co-interest that goes to topics of other segments (lower is more self-contained)',
    },
    { name: 'Evidence', value: q.evidence.toFixed(1), title: 'Log-likelihood ratio against people picking topics independently' },
    {
      name: 'Stability across seeds',
      value: q.seedStability === null ? '—' : fmtPercent(q.seedStability),
      title: 'Topics shared with the best-matching segment when the run is repeated with another seed (Jaccard)',
    },
  ];
}
