import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import type { DetailedLouvainOutput, LouvainOptions } from 'graphology-communities-louvain';
import { mulberry32 } from './random.js';

// The package is CommonJS (module.exports = fn) while its types declare an ES default export.
const louvain = louvainModule as unknown as {
  detailed(graph: UndirectedGraph, options?: LouvainOptions): DetailedLouvainOutput;
};

/** Membership value for topics put in the "Other interests" bucket. */
export const OTHER = -1;

export interface WeightedEdges {
  nodeCount: number;
  edgeA: ArrayLike<number>;
  edgeB: ArrayLike<number>;
  edgeWeight: ArrayLike<number>;
  /** Edges to use (default: all). */
  keep?: ArrayLike<number>;
  /** Nodes to use (default: all); inactive nodes are OUTSIDE every community. */
  active?: ArrayLike<number>;
}

export interface Detection {
  /** Community per node at Louvain's final level; OUTSIDE for nodes outside the graph. */
  coarse: Int32Array;
  /** Community per node at Louvain's first aggregation level (nested in `coarse`; equal to it after one level). */
  firstLevel: Int32Array;
  levels: number;
  /** Louvain's own figure, for the raw final partition (before tiny communities are grouped). */
  modularity: number;
}

export const OUTSIDE = -2;

/** Louvain over the graph's active nodes and kept edges; `levels` holds one membership per dendrogram level. */
function louvainLevels(g: WeightedEdges, resolution: number, seed: number) {
  const { graph, nodes } = graphOf(g);
  const membership = (level: ArrayLike<number>) => {
    const out = new Int32Array(g.nodeCount).fill(OUTSIDE);
    // graphology keeps insertion order, so dendrogram position i is nodes[i].
    nodes.forEach((n, i) => (out[n] = level[i]!));
    return out;
  };
  // Without edges every node is its own community and Louvain has no level of its own.
  if (graph.size === 0) return { levels: [membership(nodes.map((_, i) => i))], depth: 0, modularity: 0 };
  const res = louvain.detailed(graph, { resolution, rng: mulberry32(seed), getEdgeWeight: 'weight' });
  // dendrogram[0] is the identity, [1] the first aggregation, the last entry the final partition.
  const levels = res.dendrogram.slice(1).map(membership);
  // No move at all (rare: every node already alone is optimal): the identity is the one level.
  if (levels.length === 0) levels.push(membership(res.dendrogram[0]!));
  return { levels, depth: res.dendrogram.length - 1, modularity: res.modularity };
}

/** A run detects twice on the same edges (two seeds): the graph is built once (Louvain does not change it). */
const graphs = new WeakMap<WeightedEdges, { graph: UndirectedGraph; nodes: number[] }>();

function graphOf(g: WeightedEdges): { graph: UndirectedGraph; nodes: number[] } {
  const cached = graphs.get(g);
  if (cached) return cached;
  const graph = new UndirectedGraph();
  const nodes: number[] = [];
  for (let i = 0; i < g.nodeCount; i++) {
    if (g.active && !g.active[i]) continue;
    graph.addNode(String(i));
    nodes.push(i);
  }
  for (let e = 0; e < g.edgeA.length; e++) {
    if (g.keep && !g.keep[e]) continue;
    const a = String(g.edgeA[e]);
    const b = String(g.edgeB[e]);
    if (!graph.hasNode(a) || !graph.hasNode(b)) continue;
    graph.addEdge(a, b, { weight: g.edgeWeight[e] });
  }
  graphs.set(g, { graph, nodes });
  return { graph, nodes };
}

/**
 * Louvain with a seeded rng: the final partition (coarse segments) and Louvain's first aggregation level (which
 * refineCommunities may use as the fine level).
 */
export function detectCommunities(g: WeightedEdges, opts: { resolution: number; seed: number }): Detection {
  const { levels, depth, modularity } = louvainLevels(g, opts.resolution, opts.seed);
  return { coarse: levels.at(-1)!, firstLevel: levels[0]!, levels: depth, modularity };
}

export interface RefineOptions {
  resolution: number;
  seed: number;
  /** Fine communities smaller than this are folded into a neighbouring one of the same coarse community. */
  minSize: number;
  /** Random graphs a split must beat (see refineCommunities); 9 makes it a permutation test at the 10% level. */
  nullSamples: number;
}

/**
 * The fine level: each coarse community split into its own sub-communities, so every fine community lies inside
 * exactly one coarse one. The split is Louvain's first aggregation level where that divides the community
 * meaningfully, otherwise Louvain rerun on the community's induced subgraph (modularity is then measured against the
 * community's own edges, which lets structure show that is invisible at the scale of the whole graph). Parts smaller
 * than minSize are folded into their best-linked sibling, never across coarse communities.
 *
 * Louvain cuts any graph, structured or not, so a split counts only when its modularity within the community beats
 * the modularity Louvain reaches on every one of `nullSamples` random graphs with the same topics and the same edge
 * weights placed on random pairs. A modularity threshold cannot tell the two apart: on noisy data homogeneous
 * communities are cut at 0.1 and more, while real sub-communities of dense data score 0.02 (both measured on planted
 * data). A community that does not split is one fine segment; OTHER stays one fine community.
 */
export function refineCommunities(coarse: Int32Array, g: WeightedEdges, firstLevel: Int32Array | null, opts: RefineOptions): Int32Array {
  const fine = new Int32Array(coarse.length).fill(OUTSIDE);
  const groups = communityMembers(coarse);
  const local = new Int32Array(coarse.length).fill(-1);
  for (const members of groups.values()) members.forEach((n, i) => (local[n] = i));
  // Louvain's edges inside each coarse community, in local indexes (one pass over all edges).
  const inside = new Map<number, { a: number[]; b: number[]; w: number[] }>();
  for (let e = 0; e < g.edgeA.length; e++) {
    if (g.keep && !g.keep[e]) continue;
    const c = coarse[g.edgeA[e]!]!;
    if (c < 0 || c !== coarse[g.edgeB[e]!]) continue;
    let list = inside.get(c);
    if (!list) inside.set(c, (list = { a: [], b: [], w: [] }));
    list.a.push(local[g.edgeA[e]!]!);
    list.b.push(local[g.edgeB[e]!]!);
    list.w.push(g.edgeWeight[e]!);
  }
  let next = 0;
  for (const [c, members] of groups) {
    if (c === OTHER) {
      for (const n of members) fine[n] = OTHER;
      continue;
    }
    const edges = inside.get(c) ?? { a: [], b: [], w: [] };
    const sub: WeightedEdges = { nodeCount: members.length, edgeA: edges.a, edgeB: edges.b, edgeWeight: edges.w };
    // Random graphs drawn only as far as needed, shared by both candidates: a split fails at the first that reaches
    // its modularity (same decision as against the best of all of them, and most communities fail at the first).
    const nulls: number[] = [];
    const meaningful = (candidate: Int32Array) => {
      const parts = groupTiny(candidate, sub, opts.minSize, 'largest');
      if (new Set(parts).size < 2) return null;
      const q = modularity(parts, sub, opts.resolution);
      for (let s = 0; s < opts.nullSamples; s++) {
        if (s === nulls.length) nulls.push(nullModularity(sub, opts, s));
        if (nulls[s]! >= q) return null;
      }
      return parts;
    };
    const fromFirstLevel = firstLevel ? meaningful(Int32Array.from(members, (n) => firstLevel[n]!)) : null;
    const split = fromFirstLevel ?? meaningful(finalLevel(sub, opts));
    const ids = new Map<number, number>();
    members.forEach((n, i) => {
      const part = split ? split[i]! : 0;
      let id = ids.get(part);
      if (id === undefined) ids.set(part, (id = next++));
      fine[n] = id;
    });
  }
  return fine;
}

function finalLevel(g: WeightedEdges, opts: { resolution: number; seed: number }): Int32Array {
  return louvainLevels(g, opts.resolution, opts.seed).levels.at(-1)!;
}

/** The modularity Louvain (then tiny-part folding) reaches on random placement number `s` of g's weights. */
function nullModularity(g: WeightedEdges, opts: RefineOptions, s: number): number {
  const rng = mulberry32(opts.seed + 7919 * (s + 1));
  const { a, b } = randomPairs(g.nodeCount, g.edgeA.length, rng);
  const weights = Array.from(g.edgeWeight);
  for (let i = weights.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [weights[i], weights[j]] = [weights[j]!, weights[i]!];
  }
  const random: WeightedEdges = { nodeCount: g.nodeCount, edgeA: a, edgeB: b, edgeWeight: weights };
  const parts = groupTiny(finalLevel(random, opts), random, opts.minSize, 'largest');
  return modularity(parts, random, opts.resolution);
}

/** m distinct unordered pairs of 0..n-1, uniformly (the complement is drawn instead when m is over half of all pairs). */
export function randomPairs(n: number, m: number, rng: () => number): { a: number[]; b: number[] } {
  const all = (n * (n - 1)) / 2;
  const complement = m > all / 2;
  const draw = complement ? all - m : m;
  const chosen = new Set<number>();
  while (chosen.size < draw) {
    const x = Math.floor(rng() * n);
    const y = Math.floor(rng() * n);
    if (x !== y) chosen.add(Math.min(x, y) * n + Math.max(x, y));
  }
  const a: number[] = [];
  const b: number[] = [];
  const push = (key: number) => {
    a.push(Math.floor(key / n));
    b.push(key % n);
  };
  if (!complement) chosen.forEach(push);
  // Only when m is over half of all pairs, so this walk is no longer than m itself.
  else for (let x = 0; x < n; x++) for (let y = x + 1; y < n; y++) if (!chosen.has(x * n + y)) push(x * n + y);
  return { a, b };
}

/**
 * Newman's modularity of a partition at a resolution γ: Σ_c [in_c / m − γ (tot_c / 2m)²] over the kept edges, with
 * in_c the weight inside c and tot_c the weighted degree of its members (OTHER counts as one community, as stored;
 * OUTSIDE nodes are not in the graph). Louvain reports the same quantity for the partition it ends with.
 */
export function modularity(membership: ArrayLike<number>, g: WeightedEdges, resolution: number): number {
  let m = 0;
  const internal = new Map<number, number>();
  const total = new Map<number, number>();
  for (let e = 0; e < g.edgeA.length; e++) {
    if (g.keep && !g.keep[e]) continue;
    const ca = membership[g.edgeA[e]!]!;
    const cb = membership[g.edgeB[e]!]!;
    if (ca === OUTSIDE || cb === OUTSIDE) continue;
    const w = g.edgeWeight[e]!;
    m += w;
    total.set(ca, (total.get(ca) ?? 0) + w);
    total.set(cb, (total.get(cb) ?? 0) + w);
    if (ca === cb) internal.set(ca, (internal.get(ca) ?? 0) + w);
  }
  if (m === 0) return 0;
  let q = 0;
  for (const [c, tot] of total) q += (internal.get(c) ?? 0) / m - resolution * (tot / (2 * m)) ** 2;
  return q;
}

/**
 * Tiny communities (fewer than `minSize` topics) are folded into the neighbouring community they share the most
 * edge weight with; ones with no link to a community of proper size go to the OTHER bucket (`unlinked: 'other'`)
 * or, inside one coarse community where there is no OTHER, to the largest community (the largest tiny one when all
 * are tiny, so they all end up together). So a marketer never sees dozens of one-topic "segments", and no topic is
 * silently dropped.
 */
export function groupTiny(membership: Int32Array, g: WeightedEdges, minSize: number, unlinked: 'other' | 'largest' = 'other'): Int32Array {
  const out = Int32Array.from(membership);
  const size = new Map<number, number>();
  for (const c of out) if (c >= 0) size.set(c, (size.get(c) ?? 0) + 1);
  const tiny = new Set([...size].filter(([, s]) => s < minSize).map(([c]) => c));
  if (tiny.size === 0) return out;
  const link = new Map<number, Map<number, number>>();
  for (let e = 0; e < g.edgeA.length; e++) {
    const ca = out[g.edgeA[e]!]!;
    const cb = out[g.edgeB[e]!]!;
    if (ca < 0 || cb < 0 || ca === cb) continue;
    const w = g.edgeWeight[e]!;
    for (const [x, y] of [
      [ca, cb],
      [cb, ca],
    ] as const) {
      if (!tiny.has(x) || tiny.has(y)) continue;
      let m = link.get(x);
      if (!m) link.set(x, (m = new Map()));
      m.set(y, (m.get(y) ?? 0) + w);
    }
  }
  let fallback = OTHER;
  if (unlinked === 'largest') {
    const bySize = [...size].sort((p, q) => Number(tiny.has(p[0])) - Number(tiny.has(q[0])) || q[1] - p[1] || p[0] - q[0]);
    fallback = bySize[0]![0];
  }
  const target = new Map<number, number>();
  for (const c of tiny) {
    let best = fallback;
    let bestW = 0;
    for (const [y, w] of [...(link.get(c) ?? [])].sort((p, q) => p[0] - q[0])) {
      if (w > bestW) {
        best = y;
        bestW = w;
      }
    }
    target.set(c, best);
  }
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    if (c >= 0 && tiny.has(c)) out[i] = target.get(c)!;
  }
  return out;
}

/** Members of each community (OTHER included when non-empty), in order of first appearance. */
export function communityMembers(membership: Int32Array): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  membership.forEach((c, i) => {
    if (c === OUTSIDE) return;
    let list = groups.get(c);
    if (!list) groups.set(c, (list = []));
    list.push(i);
  });
  return groups;
}

/** Sum of a node's edge weights to other members of its own community: its centrality inside the segment. */
export function internalDegree(membership: Int32Array, g: WeightedEdges): Float64Array {
  const deg = new Float64Array(membership.length);
  for (let e = 0; e < g.edgeA.length; e++) {
    const a = g.edgeA[e]!;
    const b = g.edgeB[e]!;
    if (membership[a] !== membership[b] || membership[a]! < 0) continue;
    deg[a] = deg[a]! + g.edgeWeight[e]!;
    deg[b] = deg[b]! + g.edgeWeight[e]!;
  }
  return deg;
}

/** Weighted degree of every node over all its edges. */
export function weightedDegree(g: WeightedEdges): Float64Array {
  const deg = new Float64Array(g.nodeCount);
  for (let e = 0; e < g.edgeA.length; e++) {
    deg[g.edgeA[e]!] = deg[g.edgeA[e]!]! + g.edgeWeight[e]!;
    deg[g.edgeB[e]!] = deg[g.edgeB[e]!]! + g.edgeWeight[e]!;
  }
  return deg;
}
