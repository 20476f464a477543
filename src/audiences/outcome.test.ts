import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../segmentation/random.js';
import { compareGroups, differenceInterval, liftInterval, wilson } from './outcome.js';

describe('outcome statistics', () => {
  it('matches the published Wilson and Newcombe intervals', () => {
    // Newcombe (1998), Statistics in Medicine 17: 873-890, example (a): 56/70 vs 48/80, method 10 gives 0.0524..0.3339.
    const d = differenceInterval({ people: 70, buyers: 56 }, { people: 80, buyers: 48 })!;
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
    // Wilson for 0/10 stays inside [0, 1] where Wald would collapse to a point.
    const w = wilson(0, 10);
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(0.2775, 4);
  });

  it('gives the Katz log interval for the relative lift', () => {
    const l = liftInterval({ people: 100, buyers: 50 }, { people: 100, buyers: 25 })!;
    expect(l.estimate).toBeCloseTo(1, 10);
    expect(l.low).toBeCloseTo(2 * Math.exp(-1.959964 * 0.2) - 1, 5);
    expect(l.high).toBeCloseTo(2 * Math.exp(1.959964 * 0.2) - 1, 5);
    expect(liftInterval({ people: 10, buyers: 3 }, { people: 10, buyers: 0 })).toBeNull();
  });

  it('covers a planted difference about 95% of the time', () => {
    const draw = mulberry32(7);
    const trials = 2000;
    let covered = 0;
    for (let i = 0; i < trials; i++) {
      const sample = (n: number, p: number) => ({ people: n, buyers: Array.from({ length: n }, draw).filter((u) => u < p).length });
      const d = differenceInterval(sample(150, 0.12), sample(60, 0.1))!;
      if (d.low <= 0.02 && 0.02 <= d.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.975);
  });

  it('reports nothing it cannot compute', () => {
    expect(compareGroups({ people: 0, buyers: 0 }, { people: 5, buyers: 1 })).toEqual({
      treatedRate: null,
      holdoutRate: 0.2,
      difference: null,
      relativeLift: null,
    });
  });
});
