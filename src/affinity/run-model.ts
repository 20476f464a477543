/**
 * What one segmentation run contributes to every segment of one: its coarse segments (label, population share), which
 * segment each topic is in, topic names, and the co-interest neighbours used for suggestions. Loaded once when the run
 * becomes visible; pure (built from plain rows).
 */
import type { RelatedTopic } from './scoring.js';
import type { TopicTable } from './interest-store.js';
import type { DecayAt } from '../segmentation/decay.js';
import { visibleLabel, type TopTopic } from '../segmentation/labels.js';
import type { ErasedDerived } from '../privacy/erasure.js';

export interface SegmentRow {
  segmentId: string;
  label: string | null;
  share: number | null;
  /** Shown as part of this group's head (curation, granularity): an alias of the head, not a segment of its own. */
  mergedInto?: string | null;
  /** The segment's top topics (JSON `[{id, name}]`), so a label naming one hidden since can be made again. */
  topTopics?: string | null;
}
export interface MembershipRow {
  topicId: string;
  segmentId: string;
  name: string;
  /** The topic's category (insight groups topics by it). */
  category?: string | null;
}
/** One stored RELATED edge; the model holds it in both directions. */
export interface RelatedRow {
  fromId: string;
  fromName: string;
  toId: string;
  toName: string;
  weight: number;
}

export interface RunModelRows {
  runId: string;
  segments: readonly SegmentRow[];
  memberships: readonly MembershipRow[];
  related: readonly RelatedRow[];
}

const UNKNOWN = -2;
const NONE = -1;

export class RunModel {
  readonly runId: string;
  readonly segmentIds: readonly string[];
  readonly labels: string[];
  readonly shares: Float64Array;
  private readonly tops: Array<readonly TopTopic[]>;
  private readonly slotOfSegment = new Map<string, number>();
  private readonly segmentOfTopic = new Map<string, number>();
  private readonly names = new Map<string, string>();
  /** Category of each segmented topic (topics without one have none), and the distinct categories by slot. */
  private readonly categoryOfTopic = new Map<string, number>();
  private readonly categorySlots = new Map<string, number>();
  private readonly categoryList: string[] = [];
  private readonly related = new Map<string, RelatedTopic[]>();
  /** segmentOfTopic by a store's topic index, filled on demand (scans look topics up by index, not by string). */
  private byIndex = new Int32Array(0);
  private categoryByIndex = new Int32Array(0);

  /**
   * The coarse segments; memberships and RELATED edges are added row by row as they stream in (a run over a long tail
   * of topics has hundreds of thousands: built in one go they would stall the event loop).
   */
  constructor(
    runId: string,
    rows: readonly SegmentRow[],
    /** The run's interest half-lives in ms by source (segmentation/decay.ts); null: the run does not decay interests. */
    readonly halfLifeMs: Float64Array | null = null,
  ) {
    this.runId = runId;
    const segments = rows.filter((s) => !s.mergedInto);
    this.segmentIds = segments.map((s) => s.segmentId);
    this.labels = segments.map((s) => s.label ?? s.segmentId);
    this.tops = segments.map((s) => (s.topTopics ? (JSON.parse(s.topTopics) as TopTopic[]) : []));
    this.shares = Float64Array.from(segments, (s) => (typeof s.share === 'number' && Number.isFinite(s.share) ? s.share : 0));
    this.segmentIds.forEach((id, i) => this.slotOfSegment.set(id, i));
    // Rules and saved audiences naming a merged-away segment keep working: they mean its group now.
    for (const s of rows) {
      const head = s.mergedInto ? this.slotOfSegment.get(s.mergedInto) : undefined;
      if (head !== undefined) this.slotOfSegment.set(s.segmentId, head);
    }
  }

  static from(rows: RunModelRows): RunModel {
    const model = new RunModel(rows.runId, rows.segments);
    for (const m of rows.memberships) model.addMembership(m);
    for (const r of rows.related) model.addRelated(r);
    return model;
  }

  addMembership(m: MembershipRow): void {
    const s = this.slotOfSegment.get(m.segmentId);
    if (s === undefined) return; // a fine segment's membership, or a segment of another level
    this.segmentOfTopic.set(m.topicId, s);
    this.names.set(m.topicId, m.name);
    if (m.category) {
      let c = this.categorySlots.get(m.category);
      if (c === undefined) {
        this.categorySlots.set(m.category, (c = this.categories.length));
        this.categoryList.push(m.category);
      }
      this.categoryOfTopic.set(m.topicId, c);
    }
  }

  addRelated(r: RelatedRow): void {
    this.relate(r.fromId, { id: r.toId, name: r.toName, weight: r.weight });
    this.relate(r.toId, { id: r.fromId, name: r.fromName, weight: r.weight });
  }

  private relate(topicId: string, neighbour: RelatedTopic): void {
    let list = this.related.get(topicId);
    if (!list) this.related.set(topicId, (list = []));
    list.push(neighbour);
  }

  /** Counts the changes made to this model in place (forget): what was computed from it before is outdated. */
  generation = 0;

  /**
   * Topics, co-interest links and segment names that went with an erased person (src/privacy/erasure.ts): such a topic
   * is no longer in any segment, named, categorised or suggested, and segments named after it have their new name.
   * Nobody holds such a topic any more, so no affinity changes.
   */
  forget({ topicIds, related, labels }: ErasedDerived): void {
    this.generation++;
    const gone = new Set(topicIds);
    for (const l of labels) {
      const slot = l.runId === this.runId ? this.slotOfSegment.get(l.segmentId) : undefined;
      if (slot === undefined) continue;
      this.labels[slot] = l.label;
      this.tops[slot] = this.tops[slot]!.filter((t) => !gone.has(t.id));
    }
    if (gone.size === 0 && related.length === 0) return;
    for (const id of gone) {
      this.segmentOfTopic.delete(id);
      this.names.delete(id);
      this.categoryOfTopic.delete(id);
      this.related.delete(id);
    }
    const unlinked = new Map<string, Set<string>>();
    const unlink = (from: string, to: string) => {
      const set = unlinked.get(from) ?? new Set<string>();
      unlinked.set(from, set);
      set.add(to);
    };
    for (const { a, b } of related) {
      unlink(a, b);
      unlink(b, a);
    }
    for (const [topic, list] of this.related) {
      const cut = unlinked.get(topic);
      const kept = list.filter((r) => !gone.has(r.id) && !cut?.has(r.id));
      if (kept.length !== list.length) this.related.set(topic, kept);
    }
    // Lookups by a store's topic index are filled again on demand.
    this.byIndex = new Int32Array(0);
    this.categoryByIndex = new Int32Array(0);
  }

  /** Decay of a read at `asOfMs` (null: the stored weights as they are, as without a half-life). */
  decayAt(asOfMs: number): DecayAt | null {
    return this.halfLifeMs ? { asOfMs, halfLifeMs: this.halfLifeMs } : null;
  }

  get segmentCount(): number {
    return this.segmentIds.length;
  }

  /** The distinct categories of the run's topics, by slot (categoryOfIndex). */
  get categories(): readonly string[] {
    return this.categoryList;
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

  /** The label, made again without `hidden` topics when it names one (src/segmentation/labels.ts visibleLabel). */
  visibleLabelOf(segmentId: string, hidden: (topicId: string) => boolean): string {
    const s = this.slotOfSegment.get(segmentId);
    return s === undefined ? segmentId : visibleLabel(this.labels[s]!, this.tops[s]!, hidden);
  }

  labelOf(segmentId: string): string {
    const s = this.slotOfSegment.get(segmentId);
    return s === undefined ? segmentId : this.labels[s]!;
  }

  categoryOf(topicId: string): string | undefined {
    const c = this.categoryOfTopic.get(topicId);
    return c === undefined ? undefined : this.categories[c];
  }

  /** The segment slot of a store's topic index (-1: in no segment of this run). */
  segmentOfIndex(table: TopicTable, topic: number): number {
    if (topic >= this.byIndex.length) this.byIndex = widen(this.byIndex, table, topic);
    let s = this.byIndex[topic]!;
    if (s === UNKNOWN) {
      s = this.segmentOfTopic.get(table.idOf(topic)) ?? NONE;
      this.byIndex[topic] = s;
    }
    return s;
  }

  /** The category slot (in `categories`) of a store's topic index (-1: unsegmented, or no category). */
  categoryOfIndex(table: TopicTable, topic: number): number {
    if (topic >= this.categoryByIndex.length) this.categoryByIndex = widen(this.categoryByIndex, table, topic);
    let c = this.categoryByIndex[topic]!;
    if (c === UNKNOWN) {
      c = this.categoryOfTopic.get(table.idOf(topic)) ?? NONE;
      this.categoryByIndex[topic] = c;
    }
    return c;
  }
}

/** A by-index lookup grown to hold `topic`, new entries not looked up yet. */
function widen(a: Int32Array, table: TopicTable, topic: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(table.size, topic + 1, a.length * 2)).fill(UNKNOWN);
  next.set(a);
  return next;
}
