import { describe, expect, it } from 'vitest';
import { Holders, placeTopics } from './placement.js';
import { mulberry32 } from './random.js';
import { peopleOf } from '../../test/support/interest-lists.js';

describe('Holders', () => {
  it('transposes interests: each topic with its holders and weights', () => {
    const h = new Holders(
      {
        forEachUser: (fn) =>
          [[0, 2], [2], [1, 2]].forEach((p, u) =>
            fn(
              p,
              p.map((t) => t + 1),
              u,
            ),
          ),
      },
      3,
    );
    expect(h.userCount).toBe(3);
    expect([0, 1, 2].map((t) => h.support(t))).toEqual([1, 1, 3]);
    expect(Array.from(h.users.subarray(h.offsets[2]!, h.offsets[3]!))).toEqual([0, 1, 2]);
    expect(Array.from(h.weights.subarray(h.offsets[2]!, h.offsets[3]!))).toEqual([3, 3, 3]);
  });
});

describe('placeTopics (topics placed where their people sit)', () => {
  // Two communities: topics 0–9 (A) and 10–19 (B); rare topics 20 (held by A people) and 21 (held by B people).
  const rng = mulberry32(3);
  const people: number[][] = [];
  for (let p = 0; p < 400; p++) {
    const base = p % 2 === 0 ? 0 : 10;
    const held = new Set<number>();
    while (held.size < 4) held.add(base + Math.floor(rng() * 10));
    if (rng() < 0.3) held.add(Math.floor(rng() * 20)); // noise
    people.push([...held]);
  }
  people[0]!.push(20);
  people[2]!.push(20);
  people[1]!.push(21);
  people.push([22]); // a topic whose only holder has nothing else: no evidence
  const h = new Holders(peopleOf(people), 23);
  const start = Int32Array.from({ length: 23 }, (_, t) => (t < 10 ? 0 : t < 20 ? 1 : -1));

  it('places rare topics with the community their holders share, and leaves topics without evidence out', () => {
    const out = placeTopics(h, start, 2);
    expect(out[20]).toBe(0);
    expect(out[21]).toBe(1);
    expect(out[22]).toBe(-1);
    // Frequent topics stay where they are.
    for (let t = 0; t < 20; t++) expect(out[t]).toBe(start[t]);
  });

  it('moves a misplaced topic back to its people, judging it without itself', () => {
    const wrong = Int32Array.from(start);
    wrong[3] = 1;
    expect(placeTopics(h, wrong, 2)[3]).toBe(0);
  });

  it('honours movable and allowed', () => {
    const out = placeTopics(h, start, 2, { movable: (t) => t === 20, allowed: (c) => c === 1 });
    expect(out[20]).toBe(1);
    expect(out[21]).toBe(-1);
    expect(Array.from(placeTopics(h, start, 2, { movable: () => false }))).toEqual(Array.from(start));
  });

  it('does not favour a community for being popular', () => {
    // Community A is held by 9 people in 10 and B by 1 in 10; a topic held by B people goes to B.
    const skewed: number[][] = [];
    for (let p = 0; p < 500; p++) skewed.push(p % 10 === 0 ? [10, 11, 12, 0] : [0, 1, 2, 10]);
    for (let p = 0; p < 50; p += 10) skewed[p]!.push(13);
    const hs = new Holders(peopleOf(skewed), 14);
    const m = Int32Array.from({ length: 14 }, (_, t) => (t < 10 ? 0 : t < 13 ? 1 : -1));
    expect(placeTopics(hs, m, 2)[13]).toBe(1);
  });
});
