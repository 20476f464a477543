/**
 * A run's segments as a hierarchy, so a marketer can ask for fewer of them without a new run: the natural coarse
 * segments (the leaves, "Other interests" aside) are agglomerated the way the natural merge step joins pieces
 * (cohesion.ts mergeCohesive: best correlation of people's affinities first), on to a single group. Cutting it after
 * n − k merges gives k segments, each a union of whole natural segments (so any cut nests in the natural segments
 * and in every finer cut). Groups no person holds together are joined last, smallest first.
 *
 * One more pass over the people measures the groups any cut of MIN_GRANULARITY..MAX_GRANULARITY segments can show,
 * exactly as a run measures its segments: people with an interest in the group, its share (the sum of its members'),
 * and its quality (quality.ts), so serving a cut computes nothing. `recommended` is the largest such cut whose every
 * segment is significant (normally the natural segments themselves, at most MAX_GRANULARITY).
 * Pure; in process only (the GDS engine does not stream the people out of the database).
 */
import { type Cohesion, cohesion, mergeCohesive, type PeopleView } from './cohesion.js';
import { type CommunityQuality, communityQuality } from './quality.js';

export const MIN_GRANULARITY = 2;
export const MAX_GRANULARITY = 50;

export interface GroupStats {
  userCount: number;
  share: number;
  topicCount: number;
  quality: CommunityQuality;
}

export interface Hierarchy {
  /** The natural coarse segments ("Other interests" aside): node i < leaves.length is leaves[i]. */
  leaves: string[];
  /** Node leaves.length + i joins merges[i][0] and merges[i][1]; [2] is their correlation (null: nobody holds both). */
  merges: Array<[number, number, number | null]>;
  /** Exact figures of every group some cut of MIN..MAX_GRANULARITY segments shows, by node number. */
  groups: Record<string, GroupStats>;
  /** The largest cut (≤ MAX_GRANULARITY) whose segments are all significant. */
  recommended: number;
}

export interface Leaf {
  id: string;
  share: number;
  topicCount: number;
  significant: boolean;
}

/**
 * `membership[t]` is topic t's leaf (0..leaves.length-1), `leaves.length` for "Other interests" (counted in people's
 * totals as quality.ts counts it, never a leaf) and negative outside every segment.
 */
export function buildHierarchy(people: PeopleView, membership: Int32Array, leaves: readonly Leaf[], minPeople: number): Hierarchy {
  const n = leaves.length;
  const merges: Hierarchy['merges'] = [];
  const nodeOf = Int32Array.from({ length: n }, (_, i) => i);
  const join = (x: number, y: number, r: number | null) => {
    merges.push([nodeOf[x]!, nodeOf[y]!, r === null ? null : Math.round(r * 1e6) / 1e6]);
    nodeOf[x] = n + merges.length - 1;
  };
  const leavesOnly = Int32Array.from(membership, (c) => (c >= n ? -1 : c));
  mergeCohesive(cohesion(people, leavesOnly, n), -Infinity, join);
  // What nobody holds together is joined last, the two smallest first. Each part is the top node above its leaves
  // (mergeCohesive's representative of a part need not be its first leaf).
  const parentOf = new Int32Array(2 * n).fill(-1);
  merges.forEach(([a, b], i) => (parentOf[a] = parentOf[b] = n + i));
  const tops = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    let x = i;
    while (parentOf[x]! >= 0) x = parentOf[x]!;
    tops.set(x, (tops.get(x) ?? 0) + leaves[i]!.share);
  }
  const rest = [...tops].map(([node, share]) => ({ node, share }));
  while (rest.length > 1) {
    rest.sort((a, b) => a.share - b.share || a.node - b.node);
    const [a, b] = rest.splice(0, 2) as [{ node: number; share: number }, { node: number; share: number }];
    merges.push([a.node, b.node, null]);
    rest.push({ node: n + merges.length - 1, share: a.share + b.share });
  }

  const tracked = trackedGroups(n, merges);
  const groups = measureGroups(people, membership, n, merges, tracked, minPeople);
  const stats: Record<string, GroupStats> = {};
  tracked.forEach((node, i) => {
    const members = leavesOf(node, n, merges);
    const q = groups.quality[i]!;
    stats[String(node)] = {
      userCount: groups.users[i]!,
      share: members.reduce((s, l) => s + leaves[l]!.share, 0),
      topicCount: members.reduce((s, l) => s + leaves[l]!.topicCount, 0),
      // Rounded as a run rounds its segments' quality.
      quality: {
        cohesion: round6(q.cohesion),
        conductance: round6(q.conductance),
        evidence: Math.round(q.evidence * 10) / 10,
        significant: q.significant,
      },
    };
  });
  const significant = (node: number) => (node < n ? leaves[node]!.significant : stats[String(node)]!.quality.significant);
  let recommended = Math.min(n, MAX_GRANULARITY);
  for (let k = recommended; k >= MIN_GRANULARITY; k--) {
    if (cutNodes(n, merges, k).every(significant)) {
      recommended = k;
      break;
    }
  }
  return { leaves: leaves.map((l) => l.id), merges, groups: stats, recommended };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The nodes of the cut into k groups (k ≥ the leaves: every leaf alone). */
export function cutNodes(n: number, merges: Hierarchy['merges'], k: number): number[] {
  const alive = new Set<number>(Array.from({ length: n }, (_, i) => i));
  const steps = Math.max(0, Math.min(merges.length, n - k));
  for (let i = 0; i < steps; i++) {
    alive.delete(merges[i]![0]);
    alive.delete(merges[i]![1]);
    alive.add(n + i);
  }
  return [...alive].sort((a, b) => a - b);
}

/** The leaves under a node. */
export function leavesOf(node: number, n: number, merges: Hierarchy['merges']): number[] {
  const out: number[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x < n) out.push(x);
    else stack.push(merges[x - n]![0], merges[x - n]![1]);
  }
  return out.sort((a, b) => a - b);
}

/** A cut of the hierarchy as groups of segment ids with the figures of each group of two or more. */
export function cutHierarchy(h: Hierarchy, k: number): Array<{ members: string[]; stats: GroupStats | null }> {
  const n = h.leaves.length;
  return cutNodes(n, h.merges, k).map((node) => ({
    members: leavesOf(node, n, h.merges).map((l) => h.leaves[l]!),
    stats: node < n ? null : (h.groups[String(node)] ?? null),
  }));
}

/** Internal nodes some cut of MIN..MAX_GRANULARITY groups shows: created by merge i ≤ n−2−1, consumed at or after n−MAX. */
function trackedGroups(n: number, merges: Hierarchy['merges']): number[] {
  const consumedAt = new Map<number, number>();
  merges.forEach(([a, b], i) => {
    consumedAt.set(a, i);
    consumedAt.set(b, i);
  });
  const lo = n - Math.min(n, MAX_GRANULARITY);
  const hi = n - MIN_GRANULARITY;
  const out: number[] = [];
  for (let i = 0; i < merges.length; i++) {
    // Alive after m merges for i + 1 ≤ m ≤ consumedAt (or to the end).
    if (i + 1 <= hi && (consumedAt.get(n + i) ?? Infinity) >= lo) out.push(n + i);
  }
  return out;
}

/**
 * One pass over the people: for each tracked group the people touching it and the co-interest statistics of
 * cohesion.ts, then its quality against the same totals a run's segments are measured with.
 */
function measureGroups(
  people: PeopleView,
  membership: Int32Array,
  n: number,
  merges: Hierarchy['merges'],
  tracked: readonly number[],
  minPeople: number,
): { users: Float64Array; quality: CommunityQuality[] } {
  const m = tracked.length;
  const slotOf = new Map(tracked.map((node, i) => [node, i]));
  // Per leaf, the tracked groups above it.
  const parentOf = new Int32Array(n + merges.length).fill(-1);
  merges.forEach(([a, b], i) => (parentOf[a] = parentOf[b] = n + i));
  const above: number[][] = Array.from({ length: n }, (_, leaf) => {
    const out: number[] = [];
    for (let x = parentOf[leaf]!; x >= 0; x = parentOf[x]!) if (slotOf.has(x)) out.push(slotOf.get(x)!);
    return out;
  });
  const c: Cohesion = {
    count: m,
    people: 0,
    mass: new Float64Array(m),
    self: new Float64Array(m),
    cut: new Float64Array(m),
    pairs: new Map(),
    slots: new Float64Array(m),
    coPairs: new Float64Array(m),
    coPeople: new Float64Array(m),
    totalSlots: 0,
    totalPairs: 0,
  };
  const users = new Float64Array(m);
  const a = new Float64Array(m);
  const q = new Float64Array(m);
  const k = new Int32Array(m);
  const touched: number[] = [];
  let totalVol = 0;
  let segmentedTopics = 0;
  for (const x of membership) if (x >= 0) segmentedTopics++;
  people.forEachUser((topics, weights) => {
    let total = 0;
    for (let j = 0; j < topics.length; j++) if (membership[topics[j]!]! >= 0) total += weights[j]!;
    if (!(total > 0)) return;
    c.people++;
    let ku = 0;
    let squares = 0;
    for (let j = 0; j < topics.length; j++) {
      const leaf = membership[topics[j]!]!;
      if (leaf < 0) continue;
      ku++;
      const x = weights[j]! / total;
      squares += x * x;
      if (leaf >= n) continue;
      for (const g of above[leaf]!) {
        if (k[g] === 0) touched.push(g);
        a[g] = a[g]! + x;
        q[g] = q[g]! + x * x;
        k[g]!++;
      }
    }
    c.totalSlots += ku;
    c.totalPairs += (ku * (ku - 1)) / 2;
    // Σ over any partition of (self + cut) is Σ_u (1 − Σ_t x_t²): the same whichever groups are measured.
    totalVol += 1 - squares;
    for (const g of touched) {
      const ag = a[g]!;
      c.mass[g] = c.mass[g]! + ag;
      c.self[g] = c.self[g]! + ag * ag - q[g]!;
      c.cut[g] = c.cut[g]! + ag * (1 - ag);
      c.slots[g] = c.slots[g]! + k[g]!;
      c.coPairs[g] = c.coPairs[g]! + (k[g]! * (k[g]! - 1)) / 2;
      if (k[g]! >= 2) c.coPeople[g]!++;
      users[g]!++;
      a[g] = q[g] = k[g] = 0;
    }
    touched.length = 0;
  });
  return { users, quality: communityQuality(c, segmentedTopics, minPeople, totalVol) };
}
