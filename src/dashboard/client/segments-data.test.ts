import { describe, expect, it } from 'vitest';
import type { Segment } from './api.js';
import { qualityRows, runStability, significanceOf, stabilityOf, type RunStability } from './segments-data.js';

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

describe('segment quality as the dashboard words it', () => {
  const seg = (quality: Segment['quality'], other = false): Segment => ({
    id: 's',
    label: 'S',
    topicCount: 3,
    userCount: 9,
    topTopics: [],
    other,
    quality,
  });
  const q = { cohesion: 12.345, conductance: 0.42, evidence: 1234.5, significant: true, seedStability: 0.96 };

  it('lists significance, cohesion, conductance, evidence and stability across seeds', () => {
    expect(qualityRows(seg(q)).map((r) => [r.name, r.value])).toEqual([
      ['Significant', 'yes'],
      ['Cohesion', '12.3×'],
      ['Conductance', '42%'],
      ['Evidence', '1234.5'],
      ['Stability across seeds', '96%'],
    ]);
    expect(significanceOf(seg({ ...q, significant: false })).text).toBe('no');
    expect(qualityRows(seg({ ...q, seedStability: null })).at(-1)!.value).toBe('—');
  });

  it('says nothing for runs without quality, and never calls "Other interests" a finding', () => {
    expect(qualityRows(seg(null))).toEqual([]);
    expect(significanceOf(seg(undefined)).text).toBe('—');
    expect(significanceOf(seg(q, true)).text).toBe('bucket');
  });
});
