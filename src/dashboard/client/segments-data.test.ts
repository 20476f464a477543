import { describe, expect, it } from 'vitest';
import { runStability, stabilityOf, type RunStability } from './segments-data.js';

const base: RunStability = {
  previousRunId: 'run-1',
  nmi: 0.9,
  sharedTopics: 40,
  segments: [
    { id: 'seg_a', overlap: 0.83, previousId: 'seg_a' },
    { id: 'seg_b', overlap: 0, previousId: null },
    { id: 'seg_c', overlap: 0.5, previousId: 'seg_c' },
  ],
  split: [{ id: 'seg_old', into: ['seg_b', 'seg_c'] }],
  merged: [{ id: 'seg_c', from: ['seg_c', 'seg_x'] }],
  appeared: ['seg_b'],
  vanished: ['seg_x'],
};

describe('segment stability as the segment list shows it', () => {
  it('reads the run metrics only when they carry a stability record', () => {
    expect(runStability({ stability: base })).toBe(base);
    expect(runStability({ stability: { nmi: 1 } })).toBeUndefined();
    expect(runStability(undefined)).toBeUndefined();
  });

  it('shows the topic overlap of a kept segment, and marks new, split and merged ones', () => {
    expect(stabilityOf('seg_a', base)).toMatchObject({ overlap: 0.83, text: '83%' });
    expect(stabilityOf('seg_b', base).overlap).toBeUndefined();
    expect(stabilityOf('seg_b', base).text).toBe('new, split off');
    expect(stabilityOf('seg_c', base)).toMatchObject({ overlap: 0.5, text: '50%, merged from 2, split off' });
    expect(stabilityOf('seg_unknown', base).text).toBe('new');
  });

  it('says when there is nothing to compare with', () => {
    expect(stabilityOf('seg_a', { ...base, previousRunId: null }).text).toBe('first run');
    expect(stabilityOf('seg_a', undefined).text).toBe('—');
  });
});
