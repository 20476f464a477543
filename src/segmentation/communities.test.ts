import { describe, expect, it } from 'vitest';
import { communityMembers, detectCommunities, groupTiny, internalDegree, OTHER, OUTSIDE } from './communities.js';
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

  it('nests the fine level inside the coarse one', () => {
    const g = planted(8, 10, 2);
    const d = detectCommunities(g, { resolution: 1, seed: 1 });
    const parent = new Map<number, number>();
    d.fine.forEach((f, i) => {
      if (parent.has(f)) expect(parent.get(f)).toBe(d.coarse[i]);
      parent.set(f, d.coarse[i]!);
    });
    expect(new Set(d.fine).size).toBeGreaterThanOrEqual(new Set(d.coarse).size);
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
  });

  it('measures centrality as weight inside the community only', () => {
    const membership = Int32Array.from([0, 0, 1]);
    const deg = internalDegree(membership, { nodeCount: 3, edgeA: [0, 0], edgeB: [1, 2], edgeWeight: [2, 5] });
    expect(Array.from(deg)).toEqual([2, 2, 0]);
  });
});
