import { describe, expect, it } from 'vitest';
import { cohesion, compact, mergeCohesive, remap, selfLift } from './cohesion.js';
import { OTHER, OUTSIDE } from './communities.js';
import { mulberry32 } from './random.js';

/** People as lists of (topic, weight): a PeopleView over plain arrays. */
function people(list: Array<Array<[number, number]>>) {
  return {
    forEachUser(fn: (topics: number[], weights: number[], user: number) => void) {
      list.forEach((p, u) =>
        fn(
          p.map(([t]) => t),
          p.map(([, w]) => w),
          u,
        ),
      );
    },
  };
}

/**
 * Seeded planted data: `groups` groups of `size` topics; each person holds `k` topics of one group (chosen with
 * `rng`) and `noise` topics drawn from all of them.
 */
function planted(groups: number, size: number, persons: number, k: number, noise: number, seed: number) {
  const rng = mulberry32(seed);
  const list: Array<Array<[number, number]>> = [];
  for (let p = 0; p < persons; p++) {
    const g = Math.floor(rng() * groups);
    const held = new Set<number>();
    while (held.size < k) held.add(g * size + Math.floor(rng() * size));
    for (let i = 0; i < noise; i++) held.add(Math.floor(rng() * groups * size));
    list.push([...held].map((t) => [t, 1]));
  }
  return list;
}

describe("cohesion (people's co-interest per community)", () => {
  it('sums affinities, co-interest between different topics, cut and counts', () => {
    // Person 0: topics 0, 1 (community 0) and 2 (community 1), weights 1, 1, 2 → a0 = 0.5, a1 = 0.5.
    // Person 1: topic 0 only → a0 = 1. Person 2: topic 3, which has no community: not counted at all.
    const c = cohesion(
      people([
        [
          [0, 1],
          [1, 1],
          [2, 2],
        ],
        [[0, 1]],
        [[3, 1]],
      ]),
      [0, 0, 1, OTHER],
      2,
    );
    expect(c.people).toBe(2);
    expect(Array.from(c.mass)).toEqual([1.5, 0.5]);
    // self: person 0 holds 0 and 1 together: a0² − (0.25² + 0.25²) = 0.125; person 1 holds one topic: 0.
    expect(c.self[0]).toBeCloseTo(0.125);
    expect(c.self[1]).toBeCloseTo(0);
    expect(c.cut[0]).toBeCloseTo(0.25);
    expect(c.pairs.get(0 * 2 + 1)).toBeCloseTo(0.25);
    expect(Array.from(c.slots)).toEqual([3, 1]);
    expect(Array.from(c.coPairs)).toEqual([1, 0]);
    expect(c.totalSlots).toBe(4);
    expect(c.totalPairs).toBe(3);
  });

  it('gives planted groups a lift well above 1 and groups of random topics about 1', () => {
    const list = planted(4, 10, 2000, 4, 2, 1);
    const truth = Array.from({ length: 40 }, (_, t) => Math.floor(t / 10));
    const c = cohesion(people(list), truth, 4);
    for (let g = 0; g < 4; g++) expect(selfLift(c, g)).toBeGreaterThan(1.5);
    const rng = mulberry32(9);
    const random = Array.from({ length: 40 }, () => Math.floor(rng() * 4));
    const r = cohesion(people(list), random, 4);
    for (let g = 0; g < 4; g++) expect(selfLift(r, g)).toBeLessThan(1.15);
  });
});

describe('mergeCohesive', () => {
  const list = planted(4, 10, 3000, 4, 2, 2);

  it('merges halves of one community back and keeps communities apart', () => {
    // 8 pieces: each planted group cut in two halves.
    const halves = Array.from({ length: 40 }, (_, t) => Math.floor(t / 5));
    const { map, count } = mergeCohesive(cohesion(people(list), halves, 8), 0.5);
    expect(count).toBe(4);
    for (let g = 0; g < 4; g++) expect(map[2 * g]).toBe(map[2 * g + 1]);
    expect(new Set(map).size).toBe(4);
  });

  it('does not merge communities people mix independently, however many people there are', () => {
    const truth = Array.from({ length: 40 }, (_, t) => Math.floor(t / 10));
    for (const persons of [500, 5000]) {
      const { count } = mergeCohesive(cohesion(people(planted(4, 10, persons, 4, 2, 3)), truth, 4), 0.5);
      expect(count).toBe(4);
    }
  });

  it('never merges pieces that have no excess co-interest of their own', () => {
    // Everybody holds random topics: no piece has structure, so nothing is evidence for a merge.
    const rng = mulberry32(4);
    const noise = Array.from({ length: 1000 }, () =>
      Array.from(new Set(Array.from({ length: 5 }, () => Math.floor(rng() * 40)))).map((t): [number, number] => [t, 1]),
    );
    const pieces = Array.from({ length: 40 }, (_, t) => Math.floor(t / 5));
    const { count } = mergeCohesive(cohesion(people(noise), pieces, 8), 0.5);
    expect(count).toBeGreaterThanOrEqual(7);
  });

  it('renumbers through remap and compact, keeping OTHER and OUTSIDE', () => {
    expect(Array.from(remap([0, 1, OTHER, 2, OUTSIDE], [5, 5, 6]))).toEqual([5, 5, OTHER, 6, OUTSIDE]);
    expect(compact([7, OTHER, 3, 7, OUTSIDE])).toEqual({ membership: Int32Array.from([0, OTHER, 1, 0, OUTSIDE]), count: 2 });
  });
});
