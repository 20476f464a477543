/**
 * How strongly people hold a group of topics together, measured on the people themselves rather than on a topic
 * graph: the statistics behind merging over-split communities, significance and conductance.
 *
 * For a person u with interest weights w_t, x_t = w_t / Σ w (over the topics that have a community) and
 * a_X = Σ_{t∈X} x_t is u's affinity to community X (src/affinity/scoring.ts). Over everybody:
 * - mass M_X = Σ_u a_X (the mean affinity times N: the community's share of the population);
 * - self S_XX = Σ_u (a_X² − Σ_{t∈X} x_t²): co-interest between two *different* topics of X (a topic with itself is
 *   not evidence of anything, and would inflate small communities);
 * - pair S_XY = Σ_u a_X a_Y;
 * - cut C_X = Σ_u a_X (1 − a_X): co-interest between X's topics and the rest.
 * If people chose topics independently of each other, S_XY ≈ M_X M_Y / N and S_XX ≈ M_X² / N: the lift
 * L_XY = N S_XY / (M_X M_Y) is the excess, 1 meaning none. All of it is additive, so merged communities are scored
 * exactly from their parts without another pass over the people. One pass costs O(interests + Σ_u k_u²) with k_u the
 * communities a person touches.
 */
import { OUTSIDE } from './communities.js';

/** Anything that can replay every person's interests (InterestCollector in process). */
export interface PeopleView {
  forEachUser(fn: (topics: ArrayLike<number>, weights: ArrayLike<number>, user: number) => void): void;
}

export interface Cohesion {
  /** Communities 0..count-1 (membership values); negative values (OTHER, OUTSIDE) are ignored. */
  count: number;
  /** People with at least one interest in some community. */
  people: number;
  mass: Float64Array;
  self: Float64Array;
  cut: Float64Array;
  /** S_XY for X < Y, keyed X * count + Y (only pairs that some person holds together). */
  pairs: Map<number, number>;
  /** Unweighted, for the significance test: interests in X (Σ_u k_X) and pairs of them held by one person (Σ_u C(k_X, 2)). */
  slots: Float64Array;
  coPairs: Float64Array;
  /** People holding at least two of X's topics. */
  coPeople: Float64Array;
  /** Σ_u k_u and Σ_u C(k_u, 2) over interests that have a community. */
  totalSlots: number;
  totalPairs: number;
}

/** One pass over the people. `membership[t]` is topic t's community (0..count-1) or negative for none. */
export function cohesion(people: PeopleView, membership: ArrayLike<number>, count: number): Cohesion {
  const mass = new Float64Array(count);
  const self = new Float64Array(count);
  const cut = new Float64Array(count);
  // Pair sums in a flat table while it stays small (a few thousand communities): a Map lookup per pair and person
  // was the largest cost of a pass.
  const dense = count * count <= DENSE_PAIRS ? new Float64Array(count * count) : null;
  const sparse = new Map<number, number>();
  const slots = new Float64Array(count);
  const coPairs = new Float64Array(count);
  const coPeople = new Float64Array(count);
  const k = new Int32Array(count);
  let totalSlots = 0;
  let totalPairs = 0;
  const a = new Float64Array(count);
  const q = new Float64Array(count);
  const touched: number[] = [];
  let n = 0;
  people.forEachUser((topics, weights) => {
    let total = 0;
    for (let j = 0; j < topics.length; j++) if (membership[topics[j]!]! >= 0) total += weights[j]!;
    if (!(total > 0)) return;
    n++;
    let ku = 0;
    for (let j = 0; j < topics.length; j++) {
      const c = membership[topics[j]!]!;
      if (c < 0) continue;
      const x = weights[j]! / total;
      if (k[c] === 0) touched.push(c);
      a[c] = a[c]! + x;
      q[c] = q[c]! + x * x;
      k[c]!++;
      ku++;
    }
    totalSlots += ku;
    totalPairs += (ku * (ku - 1)) / 2;
    for (let i = 0; i < touched.length; i++) {
      const c = touched[i]!;
      const ac = a[c]!;
      mass[c] = mass[c]! + ac;
      self[c] = self[c]! + ac * ac - q[c]!;
      cut[c] = cut[c]! + ac * (1 - ac);
      slots[c] = slots[c]! + k[c]!;
      coPairs[c] = coPairs[c]! + (k[c]! * (k[c]! - 1)) / 2;
      if (k[c]! >= 2) coPeople[c]!++;
      for (let j = i + 1; j < touched.length; j++) {
        const d = touched[j]!;
        const key = c < d ? c * count + d : d * count + c;
        if (dense) dense[key] = dense[key]! + ac * a[d]!;
        else sparse.set(key, (sparse.get(key) ?? 0) + ac * a[d]!);
      }
    }
    for (const c of touched) a[c] = q[c] = k[c] = 0;
    touched.length = 0;
  });
  let pairs = sparse;
  if (dense) {
    pairs = new Map();
    for (let key = 0; key < dense.length; key++) if (dense[key] !== 0) pairs.set(key, dense[key]!);
  }
  return { count, people: n, mass, self, cut, pairs, slots, coPairs, coPeople, totalSlots, totalPairs };
}

/** Communities² up to which pair sums use a flat table (32 MB). */
const DENSE_PAIRS = 1 << 22;

/** Lift of a community with itself: N S_XX / M_X² (1 = no more co-interest than chance; 0 for an empty community). */
export function selfLift(c: Cohesion, x: number): number {
  const m = c.mass[x]!;
  return m > 0 ? (c.people * c.self[x]!) / (m * m) : 0;
}

/**
 * Agglomerates communities that people hold together as if they were one. The excess of co-interest over chance,
 * E_XY = S_XY − M_X M_Y / N, is (N times) the covariance of people's affinities to X and Y, and E_XX (with a topic's
 * pairing with itself left out) the variance that comes from people really holding X's topics together. X and Y merge
 * while their correlation R = E_XY / √(E_XX E_YY) ≥ `threshold`, best pair first, statistics updated exactly (they
 * add up). Two halves of one community correlate ≈ 1; two communities that people mix independently ≈ 0 (or below:
 * affinities compete); pieces without excess of their own (E ≤ 0: noise) never merge. R depends neither on the number
 * of people nor of topics, which is what undoes modularity's resolution limit: communities are first split finely,
 * and only people's evidence merges them.
 * Returns the new community of each old one (0..k-1, in order of first old member) and k. `onMerge(x, y, r)` hears
 * every merge in order (y joins x; hierarchy.ts records the whole agglomeration with threshold -Infinity).
 */
export function mergeCohesive(
  c: Cohesion,
  threshold: number,
  onMerge?: (x: number, y: number, ratio: number) => void,
): { map: Int32Array; count: number } {
  const k = c.count;
  const self = Float64Array.from(c.self);
  const mass = Float64Array.from(c.mass);
  const n = Math.max(1, c.people);
  const adj: Array<Map<number, number>> = Array.from({ length: k }, () => new Map());
  for (const [key, s] of c.pairs) {
    const x = Math.floor(key / k);
    const y = key - x * k;
    adj[x]!.set(y, s);
    adj[y]!.set(x, s);
  }
  const parent = Int32Array.from({ length: k }, (_, i) => i);
  const version = new Int32Array(k);
  const ratio = (x: number, y: number, s: number) => {
    const ex = self[x]! - (mass[x]! * mass[x]!) / n;
    const ey = self[y]! - (mass[y]! * mass[y]!) / n;
    if (!(ex > 0 && ey > 0)) return 0;
    return (s - (mass[x]! * mass[y]!) / n) / Math.sqrt(ex * ey);
  };
  const heap = new MaxHeap();
  for (let x = 0; x < k; x++) {
    for (const [y, s] of adj[x]!) if (x < y) heap.push(ratio(x, y, s), x, y, 0, 0);
  }
  while (heap.size > 0) {
    const top = heap.pop()!;
    if (top.priority < threshold) break;
    const { a: x, b: y } = top;
    if (parent[x] !== x || parent[y] !== y || version[x] !== top.va || version[y] !== top.vb) continue;
    // y joins x (the smaller index keeps the identity, so results do not depend on heap order beyond priority).
    const sxy = adj[x]!.get(y) ?? 0;
    self[x] = self[x]! + self[y]! + 2 * sxy;
    mass[x] = mass[x]! + mass[y]!;
    parent[y] = x;
    onMerge?.(x, y, top.priority);
    adj[x]!.delete(y);
    adj[y]!.delete(x);
    for (const [z, s] of adj[y]!) {
      adj[z]!.delete(y);
      const merged = (adj[x]!.get(z) ?? 0) + s;
      adj[x]!.set(z, merged);
      adj[z]!.set(x, merged);
    }
    adj[y]!.clear();
    version[x]!++;
    for (const [z, s] of adj[x]!) {
      const [p, r] = x < z ? [x, z] : [z, x];
      heap.push(ratio(x, z, s), p, r, version[p]!, version[r]!);
    }
  }
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const map = new Int32Array(k);
  const ids = new Map<number, number>();
  for (let i = 0; i < k; i++) {
    const r = root(i);
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = ids.size));
    map[i] = id;
  }
  return { map, count: ids.size };
}

/** Binary max-heap of (priority, a, b, versions) entries; ties pop the smaller (a, b) first, for determinism. */
class MaxHeap {
  private items: Array<{ priority: number; a: number; b: number; va: number; vb: number }> = [];
  get size() {
    return this.items.length;
  }
  private before(i: number, j: number) {
    const p = this.items[i]!;
    const q = this.items[j]!;
    return p.priority > q.priority || (p.priority === q.priority && (p.a < q.a || (p.a === q.a && p.b < q.b)));
  }
  push(priority: number, a: number, b: number, va: number, vb: number) {
    this.items.push({ priority, a, b, va, vb });
    let i = this.items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      [this.items[i], this.items[up]] = [this.items[up]!, this.items[i]!];
      i = up;
    }
  }
  pop() {
    const top = this.items[0];
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.items.length && this.before(l, best)) best = l;
        if (r < this.items.length && this.before(r, best)) best = r;
        if (best === i) break;
        [this.items[i], this.items[best]] = [this.items[best]!, this.items[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** Renumbers a membership through `map` (negative values kept). */
export function remap(membership: ArrayLike<number>, map: ArrayLike<number>): Int32Array {
  return Int32Array.from(membership, (c) => (c >= 0 ? map[c]! : c));
}

/** Dense 0..k-1 renumbering of the non-negative values, in order of first appearance; OUTSIDE/OTHER kept. */
export function compact(membership: ArrayLike<number>): { membership: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const out = Int32Array.from(membership, (c) => {
    if (c < 0) return c;
    let id = ids.get(c);
    if (id === undefined) ids.set(c, (id = ids.size));
    return id;
  });
  return { membership: out, count: ids.size };
}

export { OUTSIDE };
