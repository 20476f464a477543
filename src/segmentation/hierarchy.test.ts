import { describe, expect, it } from 'vitest';
import { buildHierarchy, cutHierarchy, leavesOf } from './hierarchy.js';
import { mulberry32 } from './random.js';

/**
 * Planted leaves in families: people hold topics of one leaf mostly and of a sibling leaf of the same family sometimes,
 * so a cut into as many groups as families must give the families.
 */
function families(familyCount: number, leavesPerFamily: number, topicsPerLeaf: number, persons: number, seed: number) {
  const rng = mulberry32(seed);
  const n = familyCount * leavesPerFamily;
  const list: Array<[number[], number[]]> = [];
  for (let p = 0; p < persons; p++) {
    const leaf = Math.floor(rng() * n);
    const family = Math.floor(leaf / leavesPerFamily);
    const held = new Set<number>();
    while (held.size < 4) held.add(leaf * topicsPerLeaf + Math.floor(rng() * topicsPerLeaf));
    const sibling = family * leavesPerFamily + Math.floor(rng() * leavesPerFamily);
    while (held.size < 6) held.add(sibling * topicsPerLeaf + Math.floor(rng() * topicsPerLeaf));
    list.push([[...held], [...held].map(() => 1)]);
  }
  const people = { forEachUser: (fn: (t: number[], w: number[], u: number) => void) => list.forEach(([t, w], u) => fn(t, w, u)) };
  const membership = Int32Array.from({ length: n * topicsPerLeaf }, (_, t) => Math.floor(t / topicsPerLeaf));
  const leaves = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, share: 1 / n, topicCount: topicsPerLeaf, significant: true }));
  return { people, membership, leaves, n };
}

describe('hierarchy of natural segments', () => {
  const { people, membership, leaves, n } = families(4, 3, 6, 3000, 5);
  const h = buildHierarchy(people, membership, leaves, 1);

  it('joins every leaf once, so a cut of k holds k groups that partition the leaves', () => {
    expect(h.merges).toHaveLength(n - 1);
    const children = h.merges.flatMap(([a, b]) => [a, b]);
    expect(new Set(children).size).toBe(children.length);
    for (const k of [2, 4, 7, n]) {
      const cut = cutHierarchy(h, k);
      expect(cut).toHaveLength(k);
      expect(cut.flatMap((g) => g.members).sort()).toEqual([...h.leaves].sort());
    }
  });

  it('cuts into the planted families, and coarser cuts nest the finer ones', () => {
    const four = cutHierarchy(h, 4).map((g) => g.members.map((id) => Math.floor(Number(id.slice(1)) / 3)));
    for (const g of four) expect(new Set(g).size).toBe(1);
    const two = cutHierarchy(h, 2).map((g) => new Set(g.members));
    for (const g of cutHierarchy(h, 4)) expect(two.some((big) => g.members.every((m) => big.has(m)))).toBe(true);
  });

  it('joins parts nobody holds together last, whatever the order of their leaves', () => {
    // Leaf i in family i mod 4: no person holds two families, and no part's first leaf need be its representative.
    const f = families(4, 3, 6, 3000, 9);
    const order = Array.from({ length: f.n }, (_, i) => (i % 4) * 3 + Math.floor(i / 4));
    const membership = Int32Array.from(f.membership, (leaf) => order.indexOf(leaf));
    const shuffled = buildHierarchy(f.people, membership, f.leaves, 1);
    const children = shuffled.merges.flatMap(([a, b]) => [a, b]);
    expect(new Set(children).size).toBe(children.length);
    expect(shuffled.merges.slice(-3).every(([, , r]) => r === null)).toBe(true);
    const four = cutHierarchy(shuffled, 4).map((g) => new Set(g.members.map((id) => Number(id.slice(1)) % 4)));
    for (const g of four) expect(g.size).toBe(1);
  });

  it('measures every group a cut shows, people counted once', () => {
    for (const g of cutHierarchy(h, 4)) {
      expect(g.stats).not.toBeNull();
      expect(g.stats!.topicCount).toBe(18);
      expect(g.stats!.userCount).toBeGreaterThan(0);
      expect(g.stats!.userCount).toBeLessThanOrEqual(3000);
      expect(g.stats!.quality.cohesion).toBeGreaterThan(1);
    }
    expect(leavesOf(n + h.merges.length - 1, n, h.merges)).toHaveLength(n);
    expect(h.recommended).toBeGreaterThanOrEqual(2);
    expect(h.recommended).toBeLessThanOrEqual(n);
  });
});
