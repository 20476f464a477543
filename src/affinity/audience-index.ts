/**
 * Audiences in memory: for each coarse segment of the visible run, the people with affinity to it (unsorted). A page
 * is a bounded top-k selection over that list, so no request sorts a whole segment. Built from the InterestStore in
 * slices that yield to the event loop; people changed since (`touch`) are left out of the lists and computed afresh
 * at query time, until so many have changed that a rebuild is cheaper (`outdated`). Pure: no I/O.
 *
 * Values are the ones a person's segment of one shows: affinity rounded to 6 digits, lift = affinity / share rounded
 * to 4 (0 when the share is 0), so an audience and GET /v1/users/:user/affinities always agree.
 */
import { Heap } from 'heap-js';
import type { InterestStore } from './interest-store.js';
import type { RunModel } from './run-model.js';
import { FILL_SLICE } from './model-build.js';
import type { DecayAt } from '../segmentation/decay.js';

export interface AudienceFilter {
  minAffinity: number;
  minLift: number;
}

export interface Keyset {
  affinity: number;
  userId: string;
}

export interface AudienceMember {
  slot: number;
  userId: string;
  affinity: number;
  lift: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Share of changed people above which a rebuild is due. */
const OUTDATED_SHARE = 0.05;

class SegmentList {
  slots = new Int32Array(256);
  affinity = new Float64Array(256);
  n = 0;

  push(slot: number, affinity: number): void {
    if (this.n === this.slots.length) {
      const slots = new Int32Array(this.n * 2);
      slots.set(this.slots);
      this.slots = slots;
      const aff = new Float64Array(this.n * 2);
      aff.set(this.affinity);
      this.affinity = aff;
    }
    this.slots[this.n] = slot;
    this.affinity[this.n++] = affinity;
  }
}

export class AudienceIndex {
  private readonly lists: SegmentList[];
  private indexedVersion = new Uint32Array(0);
  /** Slots changed since they were indexed: their list entries are ignored, their affinity computed on demand. */
  private readonly changed = new Set<number>();
  private readonly weights: Float64Array;
  private readonly touchedSegments: number[] = [];
  /** With a run that decays interests: affinities as of when the index was made (it is rebuilt as people change). */
  private readonly decay: DecayAt | null;

  constructor(
    private readonly store: InterestStore,
    readonly model: RunModel,
    asOfMs = Date.now(),
  ) {
    this.decay = model.decayAt(asOfMs);
    this.lists = model.segmentIds.map(() => new SegmentList());
    this.weights = new Float64Array(model.segmentCount);
  }

  /**
   * Indexes every person consenting to marketing, `slice` people at a time with `pause()` between slices (ModelBuild's
   * pause lets the event loop turn every few ms). Changes made meanwhile must reach `touch` like later ones do.
   */
  async fill(pause: () => Promise<void>, slice = FILL_SLICE): Promise<this> {
    for (let from = 0; from < this.store.slotCount; from += slice) {
      this.indexSlots(from, Math.min(this.store.slotCount, from + slice));
      await pause();
    }
    return this;
  }

  private indexSlots(from: number, to: number): void {
    if (this.indexedVersion.length < to) {
      const v = new Uint32Array(Math.max(to, this.indexedVersion.length * 2));
      v.set(this.indexedVersion);
      this.indexedVersion = v;
    }
    for (let slot = from; slot < to; slot++) {
      if (this.store.userId(slot) === undefined) continue;
      this.indexedVersion[slot] = this.store.version(slot);
      if (!this.store.markets(slot)) continue;
      const total = this.accumulate(slot);
      for (const s of this.touchedSegments) {
        this.lists[s]!.push(slot, this.weights[s]! / total);
        this.weights[s] = 0;
      }
      this.touchedSegments.length = 0;
    }
  }

  /** Sums the slot's interest weight per segment into `weights` (segments listed in touchedSegments); the total. */
  private accumulate(slot: number): number {
    const { topics } = this.store.arenas();
    const [from, to] = this.store.range(slot);
    let total = 0;
    for (let i = from; i < to; i++) {
      const w = this.store.weightAt(i, this.decay);
      if (!(w > 0) || !Number.isFinite(w)) continue;
      const s = this.model.segmentOfIndex(this.store.topics, topics[i]!);
      if (s < 0) continue;
      if (this.weights[s] === 0) this.touchedSegments.push(s);
      this.weights[s] = this.weights[s]! + w;
      total += w;
    }
    return total;
  }

  /** The person's unrounded affinity to one segment (0 without marketing consent or segmented interest). */
  private affinityOf(slot: number, segment: number): number {
    if (this.store.userId(slot) === undefined || !this.store.markets(slot)) return 0;
    const total = this.accumulate(slot);
    const mine = total > 0 ? this.weights[segment]! / total : 0;
    for (const s of this.touchedSegments) this.weights[s] = 0;
    this.touchedSegments.length = 0;
    return mine;
  }

  /** Affinity and lift as a segment of one shows them, from the unrounded affinity. */
  private shown(segment: number, raw: number): { affinity: number; lift: number } {
    const share = this.model.shares[segment]!;
    return { affinity: round(raw, 6), lift: share > 0 ? round(raw / share, 4) : 0 };
  }

  /** One person's affinity and lift to a segment, computed now (saved audiences check people who changed). */
  scoreOf(slot: number, segment: number): { affinity: number; lift: number } | undefined {
    const raw = this.affinityOf(slot, segment);
    return raw > 0 ? this.shown(segment, raw) : undefined;
  }

  /** A person changed (interests, consent, erased or new) after or while the index was built. */
  touch(slot: number): void {
    this.changed.add(slot);
  }

  /** True when so many people changed that rebuilding is cheaper than computing them at every query. */
  get outdated(): boolean {
    return this.changed.size > Math.max(1000, this.store.size * OUTDATED_SHARE);
  }

  /** Calls `visit` for every member of the segment that passes the filter (unordered). */
  scan(segment: number, filter: AudienceFilter, visit: (slot: number, affinity: number, lift: number) => void): void {
    const emit = (slot: number, raw: number) => {
      if (!(raw > 0)) return;
      const { affinity, lift } = this.shown(segment, raw);
      if (affinity >= filter.minAffinity && lift >= filter.minLift) visit(slot, affinity, lift);
    };
    const list = this.lists[segment]!;
    const { slots, affinity } = list;
    for (let i = 0; i < list.n; i++) {
      const slot = slots[i]!;
      if (this.changed.has(slot) || this.store.version(slot) !== this.indexedVersion[slot]) continue;
      emit(slot, affinity[i]!);
    }
    for (const slot of this.changed) emit(slot, this.affinityOf(slot, segment));
  }

  count(segment: number, filter: AudienceFilter): number {
    let n = 0;
    this.scan(segment, filter, () => n++);
    return n;
  }

  /** Up to `limit` members after the keyset position, by affinity descending then user id ascending. */
  page(segment: number, filter: AudienceFilter, after: Keyset | undefined, limit: number): AudienceMember[] {
    // Worst on top, so the heap keeps the best `limit` seen so far.
    const worstFirst = (a: AudienceMember, b: AudienceMember) =>
      a.affinity - b.affinity || (a.userId < b.userId ? 1 : a.userId > b.userId ? -1 : 0);
    const heap = new Heap<AudienceMember>(worstFirst);
    this.scan(segment, filter, (slot, affinity, lift) => {
      if (after && (affinity > after.affinity || (affinity === after.affinity && this.store.userId(slot)! <= after.userId))) return;
      if (heap.length >= limit) {
        const worst = heap.peek()!;
        if (affinity < worst.affinity) return;
        if (affinity === worst.affinity && this.store.userId(slot)! > worst.userId) return;
      }
      heap.push({ slot, userId: this.store.userId(slot)!, affinity, lift });
      if (heap.length > limit) heap.pop();
    });
    return heap.toArray().sort((a, b) => worstFirst(b, a));
  }

  /** Every member's user id → affinity and lift (rule audiences rank by one segment). */
  scores(segment: number, filter: AudienceFilter): Map<string, { affinity: number; lift: number }> {
    const out = new Map<string, { affinity: number; lift: number }>();
    this.scan(segment, filter, (slot, affinity, lift) => out.set(this.store.userId(slot)!, { affinity, lift }));
    return out;
  }
}
