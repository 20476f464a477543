import { describe, expect, it } from 'vitest';
import { carry, descendants, type Lineage, stepsBetween } from './lineage.js';

const step = (previousRunId: string, kept: string[], split: Lineage['split'] = [], merged: Lineage['merged'] = []): Lineage => ({
  previousRunId,
  segments: kept.map((id) => ({ id, overlap: 1, previousId: id })),
  split,
  merged,
});

describe('lineage of segment ids across runs', () => {
  it('follows kept ids, splits and absorptions', () => {
    const s = step('r1', ['a', 'b'], [{ id: 'a', into: ['a', 'a2'] }], [{ id: 'b', from: ['b', 'c'] }]);
    expect(descendants('a', s).sort()).toEqual(['a', 'a2']);
    expect(descendants('c', s)).toEqual(['b']);
    expect(descendants('gone', s)).toEqual([]);
    expect(carry(['a', 'c'], [s]).sort()).toEqual(['a', 'a2', 'b']);
  });

  it('walks back from the newest run to an ancestor, and says when it is none', async () => {
    const steps: Record<string, Lineage> = { r2: step('r1', ['a']), r3: step('r2', ['a']) };
    const of = async (id: string) => steps[id] ?? null;
    expect(await stepsBetween('r1', 'r3', of)).toHaveLength(2);
    expect(await stepsBetween('r3', 'r3', of)).toEqual([]);
    expect(await stepsBetween('r0', 'r3', of)).toBeNull();
  });
});
