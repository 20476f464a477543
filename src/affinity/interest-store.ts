/**
 * Every person's interests, held by the API process so that a segment of one is computed on read and audiences are
 * scanned in memory: neither waits for the database nor for a segmentation run. Pure (no I/O); kept current by
 * population-sync.ts.
 *
 * Layout: one slot per person; the slot's fields live in parallel arrays and its interests in two shared arenas
 * (topic index, weight), so a million people are a few arrays, not a million objects for the collector to walk.
 * Topic ids are interned once (`topics`). For time decay (segmentation/decay.ts) each interest also keeps its
 * `lastSeen` (ms) and its per-source weights (Float32, 4 per interest): 24 bytes more per interest, read only when
 * the visible run has a half-life. A person's interests are rewritten by appending to the arenas; the old run
 * becomes garbage that compaction reclaims once it is half of the arena.
 */

import { decayedWeight, INTEREST_SOURCES, type DecayAt } from '../segmentation/decay.js';

const SOURCES = INTEREST_SOURCES.length;

export interface PersonRecord {
  userId: string;
  /** Identity keys (`crm:c-1`, `facebook:123`) that address the person besides their id. */
  keys: readonly string[];
  /** Consent to segmentation: without it nothing of the person is used (their interests are not even read). */
  consent: boolean;
  /** Consent to personalization (content systems reading affinities); absent: given. */
  personalization?: boolean;
  /** Consent to marketing (audiences, exports, deliveries); absent: given. */
  marketing?: boolean;
  /** Topic ids and weights (parallel); empty without consent (their interests are not read). */
  topics: readonly string[];
  weights: readonly number[];
  /** Topics the person removed: never suggested again. */
  removed: readonly string[];
  /**
   * Per interest, for time decay: `[lastSeen in epoch ms (null: unknown, never decays), ...its weight from each source
   * in INTEREST_SOURCES order]`. Absent: never decays.
   */
  decay?: ReadonlyArray<ReadonlyArray<number | null>>;
}

/** Interned topic ids: index ↔ id, stable for the life of the process. */
export class TopicTable {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  idOf(i: number): string {
    return this.ids[i]!;
  }

  get size(): number {
    return this.ids.length;
  }
}

/** Consent bits of a slot, one per purpose (src/privacy/consent.ts). */
const SEGMENTATION = 1;
const PERSONALIZATION = 2;
const MARKETING = 4;

const ADDRESS_ORDER = (key: string) => (key.startsWith('crm:') ? 0 : key.startsWith('facebook:') ? 1 : 2);

/** The address audiences show for a person: the crm identity, else the facebook one, else any other key, else the id. */
export function preferredAddress(userId: string, keys: readonly string[] | undefined): string {
  if (!keys || keys.length === 0) return userId;
  let best = keys[0]!;
  for (const k of keys) {
    const o = ADDRESS_ORDER(k) - ADDRESS_ORDER(best);
    if (o < 0 || (o === 0 && k < best)) best = k;
  }
  return best;
}

function grow<T extends Int32Array | Float64Array | Float32Array | Uint8Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

export class InterestStore {
  readonly topics = new TopicTable();
  private userIds: Array<string | undefined> = [];
  private keysOf: Array<readonly string[] | undefined> = [];
  private consent = new Uint8Array(1024);
  private start = new Int32Array(1024);
  private count = new Int32Array(1024);
  /** Bumped at every change of the slot, so an index built earlier can tell that its entry is outdated. */
  private versions = new Uint32Array(1024);
  private readonly removed = new Map<number, Int32Array>();
  private readonly slotOfUser = new Map<string, number>();
  private readonly slotOfKey = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private arenaTopics = new Int32Array(1 << 16);
  private arenaWeights = new Float64Array(1 << 16);
  private arenaSeen = new Float64Array(1 << 16);
  private arenaSources = new Float32Array(SOURCES << 16);
  private used = 0;
  private garbage = 0;
  private people = 0;

  /** People held. */
  get size(): number {
    return this.people;
  }

  /** One past the highest slot ever used (slots below it may be free: `userId(slot)` is then undefined). */
  get slotCount(): number {
    return this.userIds.length;
  }

  /** A slot by identity key or user id. */
  resolve(ref: string): number | undefined {
    return this.slotOfKey.get(ref) ?? this.slotOfUser.get(ref);
  }

  slotOf(userId: string): number | undefined {
    return this.slotOfUser.get(userId);
  }

  userId(slot: number): string | undefined {
    return this.userIds[slot];
  }

  /** Consent to segmentation (the v1 flag): the person's interests are held and scored. */
  consents(slot: number): boolean {
    return (this.consent[slot]! & SEGMENTATION) !== 0;
  }

  /** Content systems may read the person's affinities (personalization, with segmentation). */
  personalizes(slot: number): boolean {
    return (this.consent[slot]! & (SEGMENTATION | PERSONALIZATION)) === (SEGMENTATION | PERSONALIZATION);
  }

  /** The person may be counted in audiences, exported and delivered (marketing, with segmentation). */
  markets(slot: number): boolean {
    return (this.consent[slot]! & (SEGMENTATION | MARKETING)) === (SEGMENTATION | MARKETING);
  }

  version(slot: number): number {
    return this.versions[slot]!;
  }

  /** The address audiences show: the crm identity, else the facebook one, else any other key, else the user id. */
  address(slot: number): string {
    return preferredAddress(this.userIds[slot]!, this.keysOf[slot]);
  }

  /** Calls `fn(topicIndex, weight)` for each of the slot's interests; with `decay`, weights decayed (weightAt). */
  forEachInterest(slot: number, fn: (topic: number, weight: number) => void, decay: DecayAt | null = null): void {
    const s = this.start[slot]!;
    const end = s + this.count[slot]!;
    for (let i = s; i < end; i++) fn(this.arenaTopics[i]!, this.weightAt(i, decay));
  }

  /** Direct access for tight loops: interests of a slot are `[from, to)` of `arenas()`. */
  range(slot: number): [number, number] {
    const s = this.start[slot]!;
    return [s, s + this.count[slot]!];
  }

  arenas(): { topics: Int32Array; weights: Float64Array } {
    return { topics: this.arenaTopics, weights: this.arenaWeights };
  }

  /** The weight of arena entry `i` (of `range`): as stored without decay, else decayed to `decay.asOfMs`. */
  weightAt(i: number, decay: DecayAt | null): number {
    if (!decay) return this.arenaWeights[i]!;
    const seen = this.arenaSeen[i]!;
    if (seen === 0) return this.arenaWeights[i]!; // unknown: never decays
    return decayedWeight(this.arenaWeights[i]!, seen, this.arenaSources, i * SOURCES, decay);
  }

  removedTopics(slot: number): Int32Array | undefined {
    return this.removed.get(slot);
  }

  /** Adds or replaces a person; returns their slot. */
  upsert(p: PersonRecord): number {
    let slot = this.slotOfUser.get(p.userId);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.newSlot();
      this.userIds[slot] = p.userId;
      this.slotOfUser.set(p.userId, slot);
      this.people++;
    } else {
      this.garbage += this.count[slot]!;
    }
    this.setKeys(slot, p.keys);
    this.consent[slot] =
      (p.consent ? SEGMENTATION : 0) | (p.personalization !== false ? PERSONALIZATION : 0) | (p.marketing !== false ? MARKETING : 0);
    this.writeInterests(slot, p);
    if (p.removed.length > 0)
      this.removed.set(
        slot,
        Int32Array.from(p.removed, (id) => this.topics.intern(id)),
      );
    else this.removed.delete(slot);
    this.versions[slot] = this.versions[slot]! + 1;
    if (this.garbage > 1 << 16 && this.garbage * 2 > this.used) this.compact();
    return slot;
  }

  /** Forgets a person (erased, or gone from the database); false when not held. */
  delete(userId: string): boolean {
    const slot = this.slotOfUser.get(userId);
    if (slot === undefined) return false;
    this.setKeys(slot, []);
    this.slotOfUser.delete(userId);
    this.userIds[slot] = undefined;
    this.garbage += this.count[slot]!;
    this.count[slot] = 0;
    this.consent[slot] = 0;
    this.removed.delete(slot);
    this.versions[slot] = this.versions[slot]! + 1;
    this.freeSlots.push(slot);
    this.people--;
    return true;
  }

  private newSlot(): number {
    const slot = this.userIds.length;
    this.userIds.push(undefined);
    this.keysOf.push(undefined);
    if (slot >= this.consent.length) {
      const n = this.consent.length * 2;
      this.consent = grow(this.consent, n);
      this.start = grow(this.start, n);
      this.count = grow(this.count, n);
      this.versions = grow(this.versions, n);
    }
    return slot;
  }

  private setKeys(slot: number, keys: readonly string[]): void {
    for (const k of this.keysOf[slot] ?? []) if (this.slotOfKey.get(k) === slot) this.slotOfKey.delete(k);
    this.keysOf[slot] = keys.length > 0 ? [...keys] : undefined;
    for (const k of keys) this.slotOfKey.set(k, slot);
  }

  private writeInterests(slot: number, p: PersonRecord): void {
    const { topics, weights, decay } = p;
    const n = topics.length;
    if (this.used + n > this.arenaTopics.length) {
      const size = Math.max(this.used + n, this.arenaTopics.length * 2);
      this.arenaTopics = grow(this.arenaTopics, size);
      this.arenaWeights = grow(this.arenaWeights, size);
      this.arenaSeen = grow(this.arenaSeen, size);
      this.arenaSources = grow(this.arenaSources, size * SOURCES);
    }
    const s = this.used;
    for (let i = 0; i < n; i++) {
      this.arenaTopics[s + i] = this.topics.intern(topics[i]!);
      this.arenaWeights[s + i] = weights[i]!;
      // Appended entries start zeroed (fresh or compacted arenas): lastSeen 0 reads as unknown, so only known values
      // are written.
      const d = decay?.[i];
      if (d && typeof d[0] === 'number') {
        this.arenaSeen[s + i] = d[0];
        for (let k = 0; k < SOURCES; k++) this.arenaSources[(s + i) * SOURCES + k] = d[k + 1] ?? 0;
      }
    }
    this.start[slot] = s;
    this.count[slot] = n;
    this.used += n;
  }

  /** Copies live interests into fresh arenas, in slot order. */
  private compact(): void {
    const live = this.used - this.garbage;
    const size = Math.max(1 << 16, live * 2);
    const topics = new Int32Array(size);
    const weights = new Float64Array(size);
    const seen = new Float64Array(size);
    const sources = new Float32Array(size * SOURCES);
    let at = 0;
    for (let slot = 0; slot < this.userIds.length; slot++) {
      if (this.userIds[slot] === undefined) continue;
      const s = this.start[slot]!;
      const n = this.count[slot]!;
      topics.set(this.arenaTopics.subarray(s, s + n), at);
      weights.set(this.arenaWeights.subarray(s, s + n), at);
      seen.set(this.arenaSeen.subarray(s, s + n), at);
      sources.set(this.arenaSources.subarray(s * SOURCES, (s + n) * SOURCES), at * SOURCES);
      this.start[slot] = at;
      at += n;
    }
    this.arenaTopics = topics;
    this.arenaWeights = weights;
    this.arenaSeen = seen;
    this.arenaSources = sources;
    this.used = at;
    this.garbage = 0;
  }
}
