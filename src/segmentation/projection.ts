/**
 * Co-interest projection: topic–topic edges weighted by the users who share both topics.
 * Topics get integer indexes; pairs are counted one topic at a time over its holders' later topics into one counter
 * per topic (typed arrays, no table of every pair): Σ_u k_u² / 2 increments, memory linear in interests.
 */

import { InterestCollector, type InterestView } from './interest-collector.js';

/** Callers build the collector from here too: it is the projection's input. */
export { InterestCollector, type InterestView };

export type Weighting = 'count' | 'cosine' | 'jaccard' | 'npmi';

export interface ProjectionOptions {
  weighting: Weighting;
  /** Minimum number of users behind an edge, and behind a topic for it to be segmented at all. */
  minSupport: number;
  /** A user with more interests contributes only their heaviest ones, so heavy users don't dominate. */
  maxTopicsPerUser: number;
  /**
   * Users a topic needs to take part in the projection at all (default minSupport), at most: a population of N asks
   * for N / 1000 (rounded up) when that is less. Rarer topics stay out of pair counting and detection and are placed
   * afterwards from where their people sit (placement.ts).
   */
  coreSupport?: number;
  /** At most this many topics take part: the threshold rises until the most held ones fit (default: no limit). */
  maxCoreTopics?: number;
  /**
   * Keep only the k-nearest-neighbour edges (sparsify's set) instead of every edge: the projection never lists the
   * others (default: every edge).
   */
  neighbours?: number;
}

export interface Projection {
  /** Number of topic indexes (some may have support below minSupport; see `active`). */
  nodeCount: number;
  /** Users (with at least one interest) behind each topic, after the per-user cap. */
  support: Int32Array;
  /** Topics with support ≥ coreSupport: the ones that take part in pair counting and detection. */
  active: Uint8Array;
  /** The support a topic needed to be active (max of minSupport and coreSupport, raised by maxCoreTopics). */
  coreSupport: number;
  users: number;
  /** Distinct topic pairs counted (the size of the pair table): only pairs of supported topics. */
  countedPairs: number;
  edgeA: Int32Array;
  edgeB: Int32Array;
  /** Users sharing both topics. */
  edgeCount: Int32Array;
  edgeWeight: Float64Array;
}

/** The indexes of a user's `cap` heaviest interests (ties: lower topic index first, for determinism). */
function capped(topics: Int32Array, weights: Float32Array, cap: number): ArrayLike<number> {
  if (topics.length <= cap) return topics;
  const order = Array.from(topics.keys()).sort((i, j) => weights[j]! - weights[i]! || topics[i]! - topics[j]!);
  return order.slice(0, cap).map((i) => topics[i]!);
}

/**
 * Two passes over the interests: support first, then pairs among supported topics only. A pair with a topic below
 * minSupport could never become an edge, and on long-tail data (many topics liked by one or two people) such pairs
 * would fill most of the table.
 */
export function project(interests: InterestView, opts: ProjectionOptions): Projection {
  const n = interests.topicIds.length;
  const support = new Int32Array(n);
  let users = 0;
  interests.forEachUser((topics, weights) => {
    const list = capped(topics, weights, opts.maxTopicsPerUser);
    users++;
    for (let i = 0; i < list.length; i++) support[list[i]!] = support[list[i]!]! + 1;
  });
  // A small population's communities have few holders per topic: there the bar is one holder per thousand people,
  // never above coreSupport nor below minSupport.
  const wanted = Math.max(opts.minSupport, Math.min(opts.coreSupport ?? 0, Math.ceil(users / 1000)));
  const coreSupport = coreThreshold(support, wanted, opts.maxCoreTopics);
  const active = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (support[i]! >= coreSupport) active[i] = 1;

  // Every user's capped core topics, ascending (user → topics), and the transpose (topic → users).
  const uOff = new Int32Array(users + 1);
  let slots = 0;
  interests.forEachUser((topics, weights) => {
    const all = capped(topics, weights, opts.maxTopicsPerUser);
    for (let i = 0; i < all.length; i++) if (active[all[i]!]) slots++;
  });
  const uTop = new Int32Array(slots);
  let at = 0;
  let u = 0;
  interests.forEachUser((topics, weights) => {
    const all = capped(topics, weights, opts.maxTopicsPerUser);
    const from = at;
    for (let i = 0; i < all.length; i++) if (active[all[i]!]) uTop[at++] = all[i]!;
    uTop.subarray(from, at).sort();
    uOff[++u] = at;
  });
  const tOff = new Int32Array(n + 1);
  for (let i = 0; i < slots; i++) tOff[uTop[i]! + 1]!++;
  for (let t = 0; t < n; t++) tOff[t + 1] = tOff[t + 1]! + tOff[t]!;
  const tUsers = new Int32Array(slots);
  const fill = tOff.slice(0, n);
  for (let v = 0; v < users; v++) for (let i = uOff[v]!; i < uOff[v + 1]!; i++) tUsers[fill[uTop[i]!]!++] = v;

  const A: number[] = [];
  const B: number[] = [];
  const C: number[] = [];
  const W: number[] = [];
  const push = (a: number, b: number, co: number, w: number) => {
    A.push(a);
    B.push(b);
    C.push(co);
    W.push(w);
  };
  // Only the k-nearest-neighbour edges are kept when asked: no list (or sort) of every edge, whose count grows with
  // topics² on noisy data.
  const best = opts.neighbours && opts.neighbours > 0 ? new NeighbourHeaps(n, opts.neighbours) : null;
  const co = new Int32Array(n);
  const seen = new Int32Array(n);
  let countedPairs = 0;
  for (let a = 0; a < n; a++) {
    if (!active[a]) continue;
    let m = 0;
    for (let i = tOff[a]!; i < tOff[a + 1]!; i++) {
      const v = tUsers[i]!;
      // v's topics after a, from the end of its ascending list.
      for (let j = uOff[v + 1]! - 1; j >= uOff[v]!; j--) {
        const b = uTop[j]!;
        if (b <= a) break;
        if (co[b] === 0) seen[m++] = b;
        co[b] = co[b]! + 1;
      }
    }
    countedPairs += m;
    for (let x = 0; x < m; x++) {
      const b = seen[x]!;
      const c = co[b]!;
      co[b] = 0;
      if (c < opts.minSupport) continue;
      const w = edgeWeight(opts.weighting, c, support[a]!, support[b]!, users);
      if (!(w > 0)) continue;
      if (best) {
        best.offer(a, b, c, w);
        best.offer(b, a, c, w);
      } else push(a, b, c, w);
    }
  }
  best?.forEachEdge(push);
  // Sorted edges make everything downstream (graph construction, Louvain's traversal) independent of hash order.
  const order = Array.from(A.keys()).sort((i, j) => A[i]! - A[j]! || B[i]! - B[j]!);
  return {
    nodeCount: n,
    support,
    active,
    coreSupport,
    users,
    countedPairs,
    edgeA: Int32Array.from(order, (i) => A[i]!),
    edgeB: Int32Array.from(order, (i) => B[i]!),
    edgeCount: Int32Array.from(order, (i) => C[i]!),
    edgeWeight: Float64Array.from(order, (i) => W[i]!),
  };
}

/**
 * Each node's k strongest edges, as bounded min-heaps in flat arrays. "Stronger" is sparsify's order: higher weight,
 * then the smaller (a, b) pair, so the kept set is sparsify's whatever order the pairs arrive in.
 */
class NeighbourHeaps {
  private readonly size: Int32Array;
  private readonly other: Int32Array;
  private readonly count: Int32Array;
  private readonly weight: Float64Array;

  constructor(
    private readonly nodes: number,
    private readonly k: number,
  ) {
    this.size = new Int32Array(nodes);
    this.other = new Int32Array(nodes * k);
    this.count = new Int32Array(nodes * k);
    this.weight = new Float64Array(nodes * k);
  }

  /** True when edge (v, x) with weight w is weaker than (v, y) with weight u. */
  private weaker(v: number, w: number, x: number, u: number, y: number): boolean {
    if (w !== u) return w < u;
    const kx = Math.min(v, x) * this.nodes + Math.max(v, x);
    const ky = Math.min(v, y) * this.nodes + Math.max(v, y);
    return kx > ky;
  }

  private swap(i: number, j: number) {
    const o = this.other[i]!;
    const c = this.count[i]!;
    const w = this.weight[i]!;
    this.other[i] = this.other[j]!;
    this.count[i] = this.count[j]!;
    this.weight[i] = this.weight[j]!;
    this.other[j] = o;
    this.count[j] = c;
    this.weight[j] = w;
  }

  /** Slot i of v's heap is weaker than slot j (both absolute indexes). */
  private less(v: number, i: number, j: number): boolean {
    return this.weaker(v, this.weight[i]!, this.other[i]!, this.weight[j]!, this.other[j]!);
  }

  // Called for every counted pair twice: plain index arithmetic, no closures (each would be allocated per call).
  offer(v: number, x: number, co: number, w: number): void {
    const base = v * this.k;
    const n = this.size[v]!;
    if (n < this.k) {
      this.other[base + n] = x;
      this.count[base + n] = co;
      this.weight[base + n] = w;
      this.size[v] = n + 1;
      // sift up: the weakest edge stays at the root
      for (let i = n; i > 0;) {
        const up = (i - 1) >> 1;
        if (!this.less(v, base + i, base + up)) break;
        this.swap(base + i, base + up);
        i = up;
      }
      return;
    }
    if (!this.weaker(v, this.weight[base]!, this.other[base]!, w, x)) return;
    this.other[base] = x;
    this.count[base] = co;
    this.weight[base] = w;
    const k = this.k;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < k && this.less(v, base + l, base + m)) m = l;
      if (r < k && this.less(v, base + r, base + m)) m = r;
      if (m === i) break;
      this.swap(base + i, base + m);
      i = m;
    }
  }

  /** Every edge some endpoint keeps, once, as (a < b). */
  forEachEdge(fn: (a: number, b: number, co: number, w: number) => void): void {
    for (let v = 0; v < this.nodes; v++) {
      for (let i = 0; i < this.size[v]!; i++) {
        const j = v * this.k + i;
        const x = this.other[j]!;
        // From the smaller endpoint, or from v when x does not keep it itself.
        if (v < x || !this.keeps(x, v)) fn(Math.min(v, x), Math.max(v, x), this.count[j]!, this.weight[j]!);
      }
    }
  }

  private keeps(v: number, x: number): boolean {
    for (let i = 0; i < this.size[v]!; i++) if (this.other[v * this.k + i] === x) return true;
    return false;
  }
}

/** The lowest support ≥ `min` at which at most `max` topics qualify (ties at the cut all stay out). */
export function coreThreshold(support: Int32Array, min: number, max: number | undefined): number {
  if (max === undefined) return min;
  const qualifying = Array.from(support).filter((s) => s >= min);
  if (qualifying.length <= max) return min;
  qualifying.sort((a, b) => b - a);
  return qualifying[max]! + 1;
}

/**
 * npmi = ln(p(ab) / (p(a)p(b))) / −ln p(ab). When every user holds both topics (co = na = nb = N) that is 0/0:
 * such topics are statistically independent of everything (knowing a user has one tells nothing about the other),
 * so the association is 0 and there is no edge, rather than the maximum weight 1 that would glue them together.
 */
export function edgeWeight(weighting: Weighting, co: number, na: number, nb: number, users: number): number {
  switch (weighting) {
    case 'count':
      return co;
    case 'cosine':
      return co / Math.sqrt(na * nb);
    case 'jaccard':
      return co / (na + nb - co);
    case 'npmi': {
      const p = co / users;
      if (p >= 1) return 0;
      // Only positive association links topics; independent or avoided pairs carry no edge.
      return Math.log((co * users) / (na * nb)) / -Math.log(p);
    }
  }
}
/**
 * Keeps an edge when it is among the `k` strongest of either endpoint. With noise every topic pair co-occurs
 * somewhere in a large population; the k-nearest-neighbour graph keeps the structure and stays sparse.
 */
export function sparsify(p: Pick<Projection, 'nodeCount' | 'edgeA' | 'edgeB' | 'edgeWeight'>, k: number): Uint8Array {
  const m = p.edgeA.length;
  const keep = new Uint8Array(m);
  if (k <= 0) return keep.fill(1);
  const incident: number[][] = Array.from({ length: p.nodeCount }, () => []);
  for (let e = 0; e < m; e++) {
    incident[p.edgeA[e]!]!.push(e);
    incident[p.edgeB[e]!]!.push(e);
  }
  for (const edges of incident) {
    if (edges.length <= k) {
      for (const e of edges) keep[e] = 1;
      continue;
    }
    edges.sort((x, y) => p.edgeWeight[y]! - p.edgeWeight[x]! || x - y);
    for (let i = 0; i < k; i++) keep[edges[i]!] = 1;
  }
  return keep;
}

/** The `k` strongest neighbours of every topic (for RELATED), strongest first. */
export function topNeighbours(
  p: { nodeCount: number; edgeA: ArrayLike<number>; edgeB: ArrayLike<number>; edgeWeight: ArrayLike<number> },
  k: number,
): Array<Array<{ topic: number; weight: number }>> {
  const out: Array<Array<{ topic: number; weight: number }>> = Array.from({ length: p.nodeCount }, () => []);
  for (let e = 0; e < p.edgeA.length; e++) {
    const w = p.edgeWeight[e]!;
    out[p.edgeA[e]!]!.push({ topic: p.edgeB[e]!, weight: w });
    out[p.edgeB[e]!]!.push({ topic: p.edgeA[e]!, weight: w });
  }
  return out.map((list) => list.sort((x, y) => y.weight - x.weight || x.topic - y.topic).slice(0, k));
}
