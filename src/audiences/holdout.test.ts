import { describe, expect, it } from 'vitest';
import { holdoutPosition, inHoldout } from './holdout.js';

const KEY = 'test-secret-key-0123456789';

describe('holdout', () => {
  it('puts the requested share of people in the holdout, the same ones every time', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    const held = ids.filter((id) => inHoldout(KEY, 'aud_1', id, 10));
    expect(held.length / ids.length).toBeGreaterThan(0.09);
    expect(held.length / ids.length).toBeLessThan(0.11);
    expect(ids.filter((id) => inHoldout(KEY, 'aud_1', id, 10))).toEqual(held);
    expect(ids.filter((id) => inHoldout(KEY, 'aud_1', id, 0))).toEqual([]);
  });

  it('is nested across percentages and independent across audiences and keys', () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `user-${i}`);
    const ten = new Set(ids.filter((id) => inHoldout(KEY, 'aud_1', id, 10)));
    const twenty = new Set(ids.filter((id) => inHoldout(KEY, 'aud_1', id, 20)));
    for (const id of ten) expect(twenty.has(id)).toBe(true);
    const other = ids.filter((id) => inHoldout(KEY, 'aud_2', id, 10));
    const overlap = other.filter((id) => ten.has(id)).length;
    // Independent draws: about 10% of the other audience's holdout is also in this one, not all of it.
    expect(overlap / other.length).toBeLessThan(0.2);
    expect(holdoutPosition('another-secret-key-0123', 'aud_1', 'user-1')).not.toBe(holdoutPosition(KEY, 'aud_1', 'user-1'));
  });
});
