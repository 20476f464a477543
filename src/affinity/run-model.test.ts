import { describe, expect, it } from 'vitest';
import { RunModel } from './run-model.js';

describe('run model of a curated run', () => {
  it('serves a merged-away segment as its group, never as a segment of its own', () => {
    const model = RunModel.from({
      runId: 'r1',
      segments: [
        { segmentId: 'a', label: 'Group', share: 0.7, mergedInto: null },
        { segmentId: 'b', label: 'B', share: 0.2, mergedInto: 'a' },
        { segmentId: 'c', label: 'C', share: 0.3 },
      ],
      memberships: [
        { topicId: 't1', segmentId: 'a', name: 'one' },
        { topicId: 't2', segmentId: 'a', name: 'two' },
        { topicId: 't3', segmentId: 'c', name: 'three' },
      ],
      related: [],
    });
    expect(model.segmentIds).toEqual(['a', 'c']);
    expect(model.segmentSlot('b')).toBe(model.segmentSlot('a'));
    expect(model.segmentOf('t2')).toBe('a');
    expect(model.segmentCount).toBe(2);
  });
});
