import { describe, expect, it } from 'vitest';
import {
  communityMembers,
  detectCommunities,
  groupTiny,
  internalDegree,
  modularity,
  OTHER,
  OUTSIDE,
  randomPairs,
  refineCommunities,
} from './communities.js';
import { mulberry32 } from './random.js';

/** k dense groups of size m, plus sparse weak links between random nodes (seeded). */
function planted(k: number, m: number, seed: number) {
  const rng = mulberry32(seed);
  const A: number[] = [];
  const B: number[] = [];
  const W: number[] = [];
  for (let c = 0; c < k; c++)
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) {
        if (rng() < 0.7) {
          A.push(c * m + i);
          B.push(c * m + j);
          W.push(1 + rng());
        }
      }
  const seen = new Set<string>();
  for (let e = 0; e < k * m; e++) {
    const a = Math.floor(rng() * k * m);
    const b = Math.floor(rng() * k * m);
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (a !== b && Math.floor(a / m) !== Math.floor(b / m) && !seen.has(key)) {
      seen.add(key);
      A.push(Math.min(a, b));
      B.push(Math.max(a, b));
      W.push(0.1 * rng());
    }
  }
  return { nodeCount: k * m, edgeA: A, edgeB: B, edgeWeight: W };
}

describe('detectCommunities', () => {
  it('recovers planted groups and is reproducible for a seed', () => {
    const g = planted(6, 12, 1);
    const a = detectCommunities(g, { resolution: 1, seed: 7 });
    const b = detectCommunities(g, { resolution: 1, seed: 7 });
    expect(Array.from(a.coarse)).toEqual(Array.from(b.coarse));
    for (let c = 0; c < 6; c++) {
      const labels = new Set(Array.from(a.coarse.slice(c * 12, c * 12 + 12)));
      expect(labels.size).toBe(1);
    }
    expect(new Set(a.coarse).size).toBe(6);
    expect(a.modularity).toBeGreaterThan(0.5);
  });

  it('gives more, smaller communities at a higher resolution', () => {
    const g = planted(4, 20, 3);
    const low = new Set(detectCommunities(g, { resolution: 0.05, seed: 1 }).coarse).size;
    const high = new Set(detectCommunities(g, { resolution: 5, seed: 1 }).coarse).size;
    expect(high).toBeGreaterThan(low);
  });

  it('leaves inactive nodes outside every community', () => {
    const g = { ...planted(2, 5, 4), active: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1] };
    const d = detectCommunities(g, { resolution: 1, seed: 1 });
    expect(d.coarse[0]).toBe(OUTSIDE);
    expect(d.coarse[1]).toBeGreaterThanOrEqual(0);
  });
});

/**
 * k groups of 2 sub-groups of m topics: strong links inside a sub-group, half as strong across the two sub-groups of a
 * group, weak and sparse between groups. `coarse` is the group of each node, `sub` its sub-group.
 */
function nested(k: number, m: number, seed: number, across = 0.5, jitter = 0.2) {
  const rng = mulberry32(seed);
  const A: number[] = [];
  const B: number[] = [];
  const W: number[] = [];
  const n = k * 2 * m;
  const sub = (i: number) => Math.floor(i / m);
  const group = (i: number) => Math.floor(i / (2 * m));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const w = sub(i) === sub(j) ? 1 : group(i) === group(j) ? across : rng() < 0.05 ? 0.1 : 0;
      if (w === 0) continue;
      A.push(i);
      B.push(j);
      W.push(w * (1 - jitter + 2 * jitter * rng()));
    }
  return {
    g: { nodeCount: n, edgeA: A, edgeB: B, edgeWeight: W },
    coarse: Int32Array.from({ length: n }, (_, i) => group(i)),
    sub: Array.from({ length: n }, (_, i) => sub(i)),
  };
}

const refineOpts = { resolution: 1, seed: 3, minSize: 3, nullSamples: 9 };

describe('refineCommunities', () => {
  it('splits each coarse community into its own sub-communities, nested in it', () => {
    const { g, coarse, sub } = nested(4, 8, 1);
    const fine = refineCommunities(coarse, g, null, refineOpts);
    // exactly the planted sub-groups: 8 fine communities under 4 coarse ones
    expect(new Set(fine).size).toBe(8);
    const subOf = new Map<number, number>();
    fine.forEach((f, i) => {
      expect(subOf.get(f) ?? sub[i]).toBe(sub[i]);
      subOf.set(f, sub[i]!);
    });
    expect(new Set(subOf.values()).size).toBe(8);
  });

  it('keeps a homogeneous community whole instead of cutting it arbitrarily', () => {
    // Sub-groups as linked to each other as inside, with noisy weights: Louvain alone cuts these groups (see the
    // next assertion), the null comparison does not.
    const { g, coarse } = nested(4, 8, 2, 1, 0.9);
    expect(new Set(refineCommunities(coarse, g, null, { ...refineOpts, nullSamples: 0 })).size).toBeGreaterThan(4);
    const fine = refineCommunities(coarse, g, null, refineOpts);
    expect(Array.from(fine)).toEqual(Array.from(coarse));
  });

  it("uses Louvain's first level when it splits a community meaningfully, and keeps OTHER and OUTSIDE as they are", () => {
    const { g, sub } = nested(2, 8, 4);
    const coarse = Int32Array.from(sub, (s, i) => (i === 0 ? OUTSIDE : i === 1 ? OTHER : Math.floor(s / 2)));
    const first = Int32Array.from(sub);
    const fine = refineCommunities(coarse, g, first, refineOpts);
    expect(fine[0]).toBe(OUTSIDE);
    expect(fine[1]).toBe(OTHER);
    expect(new Set(Array.from(fine).filter((f) => f >= 0)).size).toBe(4);
  });

  it('folds a tiny part into a sibling of the same coarse community, even when it is linked more strongly elsewhere', () => {
    // coarse 0 = sub-groups {0..7} and {8..15} plus node 32; node 32 is tied to coarse 1 ({16..31}) far more than to
    // coarse 0, but it was assigned to coarse 0 and its fine segment must stay under that parent.
    const { g } = nested(2, 8, 5);
    const coarse = Int32Array.from({ length: 33 }, (_, i) => (i < 16 || i === 32 ? 0 : 1));
    const A = [...g.edgeA, 0, 16, 17, 18];
    const B = [...g.edgeB, 32, 32, 32, 32];
    const W = [...g.edgeWeight, 0.2, 5, 5, 5];
    const fine = refineCommunities(coarse, { nodeCount: 33, edgeA: A, edgeB: B, edgeWeight: W }, null, refineOpts);
    const parentOf = new Map<number, number>();
    fine.forEach((f, i) => {
      expect(parentOf.get(f) ?? coarse[i]).toBe(coarse[i]);
      parentOf.set(f, coarse[i]!);
    });
    expect(fine[32]).toBe(fine[0]);
  });
});

describe('modularity', () => {
  it("is Newman's modularity at the resolution, and agrees with Louvain's own figure for Louvain's partition", () => {
    // two separate edges, each its own community: 2 × (1/2 − (2/4)²)
    const pair = { nodeCount: 4, edgeA: [0, 2], edgeB: [1, 3], edgeWeight: [1, 1] };
    expect(modularity([0, 0, 1, 1], pair, 1)).toBeCloseTo(0.5);
    expect(modularity([0, 0, 0, 0], pair, 1)).toBeCloseTo(0);
    expect(modularity([0, 0, 1, 1], pair, 2)).toBeCloseTo(0);
    const g = planted(6, 12, 1);
    for (const resolution of [0.5, 1, 2]) {
      const d = detectCommunities(g, { resolution, seed: 7 });
      expect(modularity(d.coarse, g, resolution)).toBeCloseTo(d.modularity, 9);
    }
  });
});

describe('randomPairs', () => {
  it('draws distinct pairs, sparse or dense', () => {
    const rng = mulberry32(1);
    for (const m of [5, 40, 44]) {
      const { a, b } = randomPairs(10, m, rng);
      expect(a.length).toBe(m);
      const keys = new Set(a.map((x, i) => `${x}-${b[i]}`));
      expect(keys.size).toBe(m);
      expect(a.every((x, i) => x < b[i]! && b[i]! < 10)).toBe(true);
    }
  });
});

describe('groupTiny', () => {
  it('folds a tiny community into its best-connected neighbour, and isolated ones into OTHER', () => {
    // communities: 0 = {0,1,2,3}, 1 = {4,5,6,7}, tiny 2 = {8} linked mostly to community 1, tiny 3 = {9} isolated
    const membership = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 3]);
    const g = { nodeCount: 10, edgeA: [0, 8, 8], edgeB: [1, 4, 0], edgeWeight: [1, 3, 1] };
    const out = groupTiny(membership, g, 3);
    expect(out[8]).toBe(1);
    expect(out[9]).toBe(OTHER);
    expect(Array.from(out.slice(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(communityMembers(out).get(OTHER)).toEqual([9]);
    // Inside one coarse community there is no OTHER: the unlinked tiny one joins the largest.
    expect(groupTiny(membership, g, 3, 'largest')[9]).toBe(0);
  });

  it('measures centrality as weight inside the community only', () => {
    const membership = Int32Array.from([0, 0, 1]);
    const deg = internalDegree(membership, { nodeCount: 3, edgeA: [0, 0], edgeB: [1, 2], edgeWeight: [2, 5] });
    expect(Array.from(deg)).toEqual([2, 2, 0]);
  });
});
