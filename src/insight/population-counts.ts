/**
 * How many people of the population hold each topic and each category, for one run's model: the denominator of every
 * over-indexing figure. Counted once per visible run (in slices that yield) and then kept current person by person:
 * the population sync calls `retire(slot)` just before a person changes or goes (their old contribution is taken
 * out) and `admit(slot)` after (the new one goes in). Pure: no I/O.
 *
 * The population (docs/affinity.md) is the base of the run's shares: consenting people held with at least one interest
 * (weight > 0) in a coarse segment of the run. A person *holds* a topic when they have an interest in it with weight
 * > 0; only the run's segmented topics are counted (they have names and categories; the rest are topics the run left
 * out for lack of support). A person holds a category when they hold one of its topics.
 */
import type { InterestStore } from '../affinity/interest-store.js';
import type { RunModel } from '../affinity/run-model.js';
import { FILL_SLICE } from '../affinity/model-build.js';

/** Per-topic and per-category tallies over a set of people, and the set's size. */
export interface Tally {
  /** People counted. */
  people: number;
  /** Holders by store topic index (entries beyond the array's length are 0). */
  topics: Int32Array<ArrayBuffer>;
  /** Holders by category slot of the model. */
  categories: Int32Array<ArrayBuffer>;
}

/** Per topic index: not looked up yet, in no segment of the run, segmented without a category, else the category slot. */
const UNKNOWN = -3;
const UNSEGMENTED = -2;
const NO_CATEGORY = -1;

/**
 * Finds one person's distinct segmented topics and categories (into `topics[0..topicCount)` and
 * `categories[0..categoryCount)`). `walk` returns false for someone outside the population: not held, no consent, or
 * no segmented interest. Shared by the population counts and the per-request member tallies, so both count alike.
 * Tight loop: one typed-array lookup per interest, no callbacks.
 */
export class HoldingsWalker {
  topics = new Int32Array(64);
  topicCount = 0;
  categories: Int32Array;
  categoryCount = 0;
  private kind = new Int32Array(0);
  private topicStamp = new Uint32Array(0);
  private readonly categoryStamp: Uint32Array;
  private stamp = 0;

  constructor(
    readonly store: InterestStore,
    readonly model: RunModel,
  ) {
    this.categoryStamp = new Uint32Array(model.categories.length);
    this.categories = new Int32Array(model.categories.length);
  }

  /** Grows the per-topic arrays to the store's topic table (topics are interned as people arrive). */
  private widen(): void {
    const size = Math.max(this.store.topics.size, this.kind.length * 2, 64);
    const kind = new Int32Array(size).fill(UNKNOWN);
    kind.set(this.kind);
    this.kind = kind;
    const stamp = new Uint32Array(size);
    stamp.set(this.topicStamp);
    this.topicStamp = stamp;
  }

  private kindOf(t: number): number {
    const table = this.store.topics;
    const k = this.model.segmentOfIndex(table, t) < 0 ? UNSEGMENTED : Math.max(NO_CATEGORY, this.model.categoryOfIndex(table, t));
    this.kind[t] = k;
    return k;
  }

  walk(slot: number): boolean {
    this.topicCount = 0;
    this.categoryCount = 0;
    if (this.store.userId(slot) === undefined || !this.store.consents(slot)) return false;
    if (this.kind.length < this.store.topics.size) this.widen();
    if (++this.stamp === 0xffffffff) {
      this.topicStamp.fill(0);
      this.categoryStamp.fill(0);
      this.stamp = 1;
    }
    const { topics, weights } = this.store.arenas();
    const [from, to] = this.store.range(slot);
    const stamp = this.stamp;
    const kind = this.kind;
    if (this.topics.length < to - from) this.topics = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const w = weights[i]!;
      if (!(w > 0) || !Number.isFinite(w)) continue;
      const t = topics[i]!;
      let k = kind[t]!;
      if (k === UNKNOWN) k = this.kindOf(t);
      if (k === UNSEGMENTED || this.topicStamp[t] === stamp) continue;
      this.topicStamp[t] = stamp;
      this.topics[this.topicCount++] = t;
      if (k >= 0 && this.categoryStamp[k] !== stamp) {
        this.categoryStamp[k] = stamp;
        this.categories[this.categoryCount++] = k;
      }
    }
    return this.topicCount > 0;
  }

  /** Adds the last walked person's holdings to a tally (sign -1 takes them out). */
  addTo(tally: Tally, sign: 1 | -1): void {
    let counts = tally.topics;
    for (let i = 0; i < this.topicCount; i++) {
      const t = this.topics[i]!;
      if (t >= counts.length) tally.topics = counts = reach(counts, t);
      counts[t] = counts[t]! + sign;
    }
    const cats = tally.categories;
    for (let i = 0; i < this.categoryCount; i++) cats[this.categories[i]!] = cats[this.categories[i]!]! + sign;
    tally.people += sign;
  }
}

/** An Int32Array grown (zero-filled) to hold index `i`. */
export function reach(a: Int32Array<ArrayBuffer>, i: number): Int32Array<ArrayBuffer> {
  if (i < a.length) return a;
  const next = new Int32Array(Math.max(i + 1, a.length * 2, 64));
  next.set(a);
  return next;
}

export class PopulationCounts implements Tally {
  people = 0;
  topics = new Int32Array(0);
  categories: Int32Array<ArrayBuffer>;
  /** Slots below this have been counted; changes to slots above it are picked up when the scan reaches them. */
  private scanned = 0;
  private readonly walker: HoldingsWalker;

  constructor(
    private readonly store: InterestStore,
    readonly model: RunModel,
  ) {
    this.walker = new HoldingsWalker(store, model);
    this.categories = new Int32Array(model.categories.length);
  }

  /**
   * Counts everyone, `slice` slots at a time with `pause()` between slices (ModelBuild's pause lets the event loop turn
   * every few ms).
   */
  async fill(pause: () => Promise<void>, slice = FILL_SLICE): Promise<this> {
    while (this.scanned < this.store.slotCount) {
      const end = Math.min(this.store.slotCount, this.scanned + slice);
      for (let slot = this.scanned; slot < end; slot++) this.add(slot, 1);
      this.scanned = end;
      await pause();
    }
    this.scanned = Number.MAX_SAFE_INTEGER;
    return this;
  }

  /** The slot is about to change or go: its current contribution comes out. */
  retire(slot: number): void {
    if (slot < this.scanned) this.add(slot, -1);
  }

  /** The slot changed, arrived or went: its contribution now goes in. */
  admit(slot: number): void {
    if (slot < this.scanned) this.add(slot, 1);
  }

  holders(topic: number): number {
    return topic < this.topics.length ? this.topics[topic]! : 0;
  }

  private add(slot: number, sign: 1 | -1): void {
    if (this.walker.walk(slot)) this.walker.addTo(this, sign);
  }
}

/**
 * Tallies a set of people (store slots, e.g. an audience's members) as the population counts do, `slice` people at a
 * time with `pause()` between slices (a few ms each): a large audience's interests are millions of entries. People outside the
 * population (no consent, no segmented interest) are not counted.
 */
export async function tallyMembers(
  walker: HoldingsWalker,
  slots: ArrayLike<number>,
  pause: () => Promise<void>,
  slice = 5_000,
): Promise<Tally> {
  const out: Tally = {
    people: 0,
    topics: new Int32Array(walker.store.topics.size),
    categories: new Int32Array(walker.model.categories.length),
  };
  for (let i = 0; i < slots.length; i++) {
    if (walker.walk(slots[i]!)) walker.addTo(out, 1);
    if (i % slice === slice - 1) await pause();
  }
  return out;
}
