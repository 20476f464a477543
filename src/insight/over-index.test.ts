import { describe, expect, it } from 'vitest';
import { defaultMinSupport, overIndexed, rankLifts } from './over-index.js';

const tally = (people: number, topics: number[], categories: number[] = []) => ({
  people,
  topics: Int32Array.from(topics),
  categories: Int32Array.from(categories),
});

describe('over-indexing', () => {
  it('ranks topics by lift against the population, with their support, and leaves out thin support', () => {
    // Population 1000; the group is 100 of them.
    const population = tally(1000, [100, 900, 50, 2, 300]);
    const group = tally(100, [80, 90, 40, 2, 10]);
    const rows = overIndexed(group, population, 'topics', { minSupport: 3, minLift: 1, limit: 10 });
    // t0: 0.8 / 0.1 = 8; t2: 0.4 / 0.05 = 8 with less support; t1: 0.9/0.9 = 1 (not above 1); t3: support 2 < 3; t4: 0.33.
    expect(rows.map((r) => r.key)).toEqual([0, 2]);
    expect(rows[0]).toEqual({ key: 0, members: 80, memberShare: 0.8, reference: 100, referenceShare: 0.1, lift: 8 });
    expect(overIndexed(group, population, 'topics', { minSupport: 2, minLift: 1, limit: 10 }).map((r) => r.key)).toEqual([3, 0, 2]);
    expect(overIndexed(group, population, 'topics', { minSupport: 3, minLift: 1, limit: 1 }).map((r) => r.key)).toEqual([0]);
  });

  it('keeps the top rows with a bounded selection, the same as sorting everything', () => {
    const n = 5000;
    let seed = 1;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pop = Array.from({ length: n }, () => 1 + Math.floor(rand() * 1000));
    const grp = pop.map((p) => Math.floor(rand() * Math.min(p, 100)));
    const top = rankLifts(Int32Array.from(grp), 100, (k) => pop[k]!, 1000, { minSupport: 5, minLift: 1, limit: 25 });
    const all = rankLifts(Int32Array.from(grp), 100, (k) => pop[k]!, 1000, { minSupport: 5, minLift: 1, limit: n });
    expect(top).toEqual(all.slice(0, 25));
    expect(all.every((r, i) => i === 0 || r.lift <= all[i - 1]!.lift)).toBe(true);
  });

  it('counts a topic the reference lacks as half a person there, so lifts stay finite', () => {
    const rows = rankLifts(Int32Array.from([10, 20]), 100, () => 0, 50, { minSupport: 1, minLift: 1, limit: 5 });
    expect(rows.map((r) => [r.key, r.lift])).toEqual([
      [1, 20],
      [0, 10],
    ]);
  });

  it('asks 1% of the group by default, at least 3 and never more than the group', () => {
    expect(defaultMinSupport(0)).toBe(1);
    expect(defaultMinSupport(2)).toBe(2);
    expect(defaultMinSupport(50)).toBe(3);
    expect(defaultMinSupport(100_000)).toBe(1000);
  });
});
