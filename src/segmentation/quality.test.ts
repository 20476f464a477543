import { describe, expect, it } from 'vitest';
import { cohesion } from './cohesion.js';
import { OTHER, OUTSIDE } from './communities.js';
import { communityQuality, evidence, seedAgreement, significanceBar } from './quality.js';
import { mulberry32 } from './random.js';
import { peopleOf } from '../../test/support/interest-lists.js';

describe('segment quality', () => {
  const rng = mulberry32(5);
  // 3 planted groups of 10 topics (people hold 4 of one group and 1 random topic); 30 topics in all.
  const planted = Array.from({ length: 900 }, (_, p) => {
    const g = p % 3;
    const held = new Set<number>();
    while (held.size < 4) held.add(g * 10 + Math.floor(rng() * 10));
    held.add(Math.floor(rng() * 30));
    return [...held];
  });
  const truth = Array.from({ length: 30 }, (_, t) => Math.floor(t / 10));
  const noise = Array.from({ length: 900 }, () => [...new Set(Array.from({ length: 5 }, () => Math.floor(rng() * 30)))]);

  it('flags planted communities significant, with high cohesion and low conductance', () => {
    const q = communityQuality(cohesion(peopleOf(planted), truth, 3), 30);
    for (const x of q) {
      expect(x.significant).toBe(true);
      expect(x.cohesion).toBeGreaterThan(1.5);
      expect(x.conductance).toBeLessThan(0.5);
      expect(x.evidence).toBeGreaterThan(significanceBar(30));
    }
  });

  it('flags nothing in data without communities, even groups picked for their co-interest', () => {
    const q = communityQuality(cohesion(peopleOf(noise), truth, 3), 30);
    expect(q.filter((x) => x.significant)).toHaveLength(0);
    for (const x of q) expect(x.conductance).toBeGreaterThan(0.6);
    // The best pair of topics in the noise, chosen after the fact as a "community" of two, is still not enough.
    let best = 0;
    for (let a = 0; a < 30; a++) {
      for (let b = a + 1; b < 30; b++) {
        const m = Array.from({ length: 30 }, (_, t) => (t === a || t === b ? 0 : -1));
        best = Math.max(best, evidence(cohesion(peopleOf(noise), m, 1), 0));
      }
    }
    expect(best).toBeLessThan(significanceBar(30));
  });

  it('the bar grows with the number of topics the search could combine', () => {
    expect(significanceBar(1000)).toBeGreaterThan(significanceBar(100));
    expect(significanceBar(100)).toBeCloseTo(2 * Math.log(4950 / 0.05), 9);
  });

  it("measures agreement across seeds: NMI and each community's best Jaccard overlap", () => {
    const a = [0, 0, 0, 1, 1, 1, OTHER, OUTSIDE];
    const same = seedAgreement(a, [5, 5, 5, 7, 7, 7, OTHER, 3]);
    expect(same.nmi).toBeCloseTo(1, 9);
    expect(same.overlap.get(0)).toBe(1);
    const moved = seedAgreement(a, [5, 5, 7, 7, 7, 7, OTHER, OUTSIDE]);
    expect(moved.overlap.get(0)).toBeCloseTo(2 / 3, 9);
    expect(moved.overlap.get(1)).toBeCloseTo(3 / 4, 9);
    expect(moved.nmi).toBeLessThan(1);
  });
});
