/**
 * What one segmentation run contributes to every segment of one: its coarse segments (label, population share), which
 * segment each topic is in, topic names, and the co-interest neighbours used for suggestions. Loaded once when the run
 * becomes visible; pure (built from plain rows).
 */
import type { RelatedTopic } from './scoring.js';
import type { TopicTable } from './interest-store.js';

export interface RunModelRows {
  runId: string;
  segments: ReadonlyArray<{ segmentId: string; label: string | null; share: number | null }>;
  memberships: ReadonlyArray<{ topicId: string; segmentId: string; name: string }>;
  related: ReadonlyArray<{ topicId: string; id: string; name: string; weight: number }>;
}

const UNKNOWN = -2;
const NONE = -1;

export class RunModel {
  readonly runId: string;
  readonly segmentIds: readonly string[];
  readonly labels: readonly string[];
  readonly shares: Float64Array;
  private readonly slotOfSegment = new Map<string, number>();
  private readonly segmentOfTopic = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private readonly related = new Map<string, RelatedTopic[]>();
  /** segmentOfTopic by a store's topic index, filled on demand (scans look topics up by index, not by string). */
  private byIndex = new Int32Array(0);

  constructor(rows: RunModelRows) {
    this.runId = rows.runId;
    this.segmentIds = rows.segments.map((s) => s.segmentId);
    this.labels = rows.segments.map((s) => s.label ?? s.segmentId);
    this.shares = Float64Array.from(rows.segments, (s) => (typeof s.share === 'number' && Number.isFinite(s.share) ? s.share : 0));
    this.segmentIds.forEach((id, i) => this.slotOfSegment.set(id, i));
    for (const m of rows.memberships) {
      const s = this.slotOfSegment.get(m.segmentId);
      if (s === undefined) continue; // a fine segment's membership, or a segment of another level
      this.segmentOfTopic.set(m.topicId, s);
      this.names.set(m.topicId, m.name);
    }
    for (const r of rows.related) {
      let list = this.related.get(r.topicId);
      if (!list) this.related.set(r.topicId, (list = []));
      list.push({ id: r.id, name: r.name, weight: r.weight });
    }
  }

  get segmentCount(): number {
    return this.segmentIds.length;
  }

  /** The coarse segment's position in this model, or undefined when the run has no such coarse segment. */
  segmentSlot(segmentId: string): number | undefined {
    return this.slotOfSegment.get(segmentId);
  }

  segmentOf(topicId: string): string | undefined {
    const s = this.segmentOfTopic.get(topicId);
    return s === undefined ? undefined : this.segmentIds[s];
  }

  nameOf(topicId: string): string | undefined {
    return this.names.get(topicId);
  }

  relatedOf(topicId: string): readonly RelatedTopic[] | undefined {
    return this.related.get(topicId);
  }

  shareOf(segmentId: string): number | undefined {
    const s = this.slotOfSegment.get(segmentId);
    return s === undefined ? undefined : this.shares[s];
  }

  labelOf(segmentId: string): string {
    const s = this.slotOfSegment.get(segmentId);
    return s === undefined ? segmentId : this.labels[s]!;
  }

  /** The segment slot of a store's topic index (-1: in no segment of this run). */
  segmentOfIndex(table: TopicTable, topic: number): number {
    if (topic >= this.byIndex.length) {
      const next = new Int32Array(Math.max(table.size, topic + 1, this.byIndex.length * 2)).fill(UNKNOWN);
      next.set(this.byIndex);
      this.byIndex = next;
    }
    let s = this.byIndex[topic]!;
    if (s === UNKNOWN) {
      s = this.segmentOfTopic.get(table.idOf(topic)) ?? NONE;
      this.byIndex[topic] = s;
    }
    return s;
  }
}
