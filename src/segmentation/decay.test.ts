import { describe, expect, it } from 'vitest';
import { DAY_MS, decayedWeight, halfLifeMs, runDecay } from './decay.js';

describe('time decay', () => {
  const now = Date.parse('2026-11-01T00:00:00Z');
  const at = (h: Parameters<typeof halfLifeMs>[0]) => ({ asOfMs: now, halfLifeMs: halfLifeMs(h)! });

  it('halves a source weight every half-life and leaves other sources whole', () => {
    // crm 1, facebook 2: 90 days old, crm half-life 30 days → 1/8 of crm, all of facebook.
    expect(decayedWeight(3, now - 90 * DAY_MS, [1, 2, 0, 0], 0, at({ crm: 30 }))).toBeCloseTo(2.125, 12);
    expect(decayedWeight(3, now - 90 * DAY_MS, [1, 2, 0, 0], 0, at({ crm: 30, facebook: 90 }))).toBeCloseTo(1.125, 12);
    // Today, in the future, or without a known time: no loss, the stored total exactly.
    expect(decayedWeight(0.3, now, [0.1, 0.2, 0, 0], 0, at({ crm: 1 }))).toBe(0.3);
    expect(decayedWeight(0.3, now + DAY_MS, [0.1, 0.2, 0, 0], 0, at({ crm: 1 }))).toBe(0.3);
    expect(decayedWeight(0.3, Number.NaN, [0.1, 0.2, 0, 0], 0, at({ crm: 1 }))).toBe(0.3);
  });

  it("reads a run's decay from its params; no half-life means none", () => {
    expect(runDecay({ seed: 1 })).toBeNull();
    expect(runDecay({ halfLifeDays: {} })).toBeNull();
    expect(runDecay({ halfLifeDays: { crm: 30, bogus: 3, facebook: -1 }, asOf: '2026-01-01T00:00:00.000Z' })).toEqual({
      halfLifeDays: { crm: 30 },
      asOf: '2026-01-01T00:00:00.000Z',
    });
    expect(halfLifeMs({})).toBeNull();
    expect(Array.from(halfLifeMs({ events: 2 })!)).toEqual([Infinity, Infinity, 2 * DAY_MS, Infinity]);
  });
});
