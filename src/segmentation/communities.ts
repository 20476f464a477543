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
  /** Nodes to use (default: all); inactive nodes get OTHER-less membership `undefined` → -2. */
  active?: ArrayLike<number>;
}

export interface Detection {
  /** Community per node at Louvain's final level; -2 for nodes outside the graph. */
  coarse: Int32Array;
  /** Community per node at Louvain's first aggregation level (equal to coarse when Louvain stopped after one level). */
  fine: Int32Array;
  levels: number;
  modularity: number;
}

export const OUTSIDE = -2;

/**
 * Louvain with a seeded rng, keeping two levels of its dendrogram: the final partition (coarse segments) and the
 * first aggregation (fine segments, each nested in one coarse community).
 */
export function detectCommunities(g: WeightedEdges, opts: { resolution: number; seed: number }): Detection {
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
  const coarse = new Int32Array(g.nodeCount).fill(OUTSIDE);
  const fine = new Int32Array(g.nodeCount).fill(OUTSIDE);
  if (graph.order === 0) return { coarse, fine, levels: 0, modularity: 0 };
  if (graph.size === 0) {
    nodes.forEach((n, i) => (coarse[n] = fine[n] = i));
    return { coarse, fine, levels: 0, modularity: 0 };
  }
  const res = louvain.detailed(graph, { resolution: opts.resolution, rng: mulberry32(opts.seed), getEdgeWeight: 'weight' });
  // dendrogram[0] is the identity; [1] the first aggregation; the last entry the final partition.
  const dendrogram = res.dendrogram;
  const last = dendrogram[dendrogram.length - 1]!;
  const first = dendrogram.length > 2 ? dendrogram[1]! : last;
  // graphology keeps insertion order, so dendrogram position i is nodes[i].
  nodes.forEach((n, i) => {
    coarse[n] = last[i]!;
    fine[n] = first[i]!;
  });
  return { coarse, fine, levels: dendrogram.length - 1, modularity: res.modularity };
}

/**
 * Tiny communities (fewer than `minSize` topics) are folded into the neighbouring community they share the most
 * edge weight with; ones with no link to a community of proper size go to the OTHER bucket. So a marketer never
 * sees dozens of one-topic "segments", and no topic is silently dropped.
 */
export function groupTiny(membership: Int32Array, g: WeightedEdges, minSize: number): Int32Array {
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
    for (const [x, y] of [[ca, cb], [cb, ca]] as const) {
      if (!tiny.has(x) || tiny.has(y)) continue;
      let m = link.get(x);
      if (!m) link.set(x, (m = new Map()));
      m.set(y, (m.get(y) ?? 0) + w);
    }
  }
  const target = new Map<number, number>();
  for (const c of tiny) {
    let best = OTHER;
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
