import { describe, expect, it } from 'vitest';
import { segmentEvents } from './segment-events.js';

const run = {
  id: 'run-2',
  metrics: {
    stability: {
      previousRunId: 'run-1',
      split: [{ id: 'seg_a', into: ['seg_a', 'seg_c'] }],
      merged: [{ id: 'seg_d', from: ['seg_e', 'seg_f'] }],
    },
  },
};

describe('segment events', () => {
  it('tells an audience about the splits and merges of the segments its rule names', () => {
    const events = segmentEvents(run, { all: [{ segment: 'seg_a', minAffinity: 0.3 }, { purchased: {} }] });
    expect(events).toEqual([
      {
        type: 'segment.split',
        data: JSON.stringify({ runId: 'run-2', previousRunId: 'run-1', segmentId: 'seg_a', into: ['seg_a', 'seg_c'] }),
      },
    ]);
    const merged = segmentEvents(run, { any: [{ segment: 'seg_f' }, { segment: 'seg_c' }] }).map((e) => e.type);
    expect(merged).toEqual(['segment.split', 'segment.merged']);
  });

  it('says nothing to audiences whose segments did not change, nor without stability metrics', () => {
    expect(segmentEvents(run, { segment: 'seg_x' })).toEqual([]);
    expect(segmentEvents(run, { interest: { topic: 'Jazz' } })).toEqual([]);
    expect(segmentEvents({ id: 'run-1' }, { segment: 'seg_a' })).toEqual([]);
    expect(segmentEvents(undefined, { segment: 'seg_a' })).toEqual([]);
  });
});
