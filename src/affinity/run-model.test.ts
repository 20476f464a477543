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

describe('RunModel.forget (an erased person took topics with them)', () => {
  const model = () =>
    RunModel.from({
      runId: 'r',
      segments: [
        {
          segmentId: 's1',
          label: 'A · Mine',
          share: 0.5,
          topTopics: JSON.stringify([
            { id: 'a', name: 'A' },
            { id: 'mine', name: 'Mine' },
          ]),
        },
        { segmentId: 's2', label: 'B', share: 0.5 },
      ],
      memberships: [
        { topicId: 'a', segmentId: 's1', name: 'A', category: 'Cat' },
        { topicId: 'mine', segmentId: 's1', name: 'Mine', category: 'Secret' },
        { topicId: 'b', segmentId: 's2', name: 'B' },
      ],
      related: [
        { fromId: 'a', fromName: 'A', toId: 'mine', toName: 'Mine', weight: 1 },
        { fromId: 'a', fromName: 'A', toId: 'b', toName: 'B', weight: 0.5 },
      ],
    });

  it('drops erased topics, the links only the person made, and renames segments named after them', () => {
    const m = model();
    m.forget({
      topicIds: ['mine'],
      related: [{ a: 'a', b: 'b' }],
      labels: [
        { runId: 'r', segmentId: 's1', label: 'A' },
        { runId: 'older', segmentId: 's2', label: 'x' },
      ],
    });
    expect(m.segmentOf('mine')).toBeUndefined();
    expect(m.nameOf('mine')).toBeUndefined();
    expect(m.categoryOf('mine')).toBeUndefined();
    expect(m.relatedOf('mine')).toBeUndefined();
    expect(m.relatedOf('a')).toEqual([]);
    expect(m.relatedOf('b')).toEqual([]);
    expect(m.segmentOf('a')).toBe('s1');
    expect(m.labelOf('s1')).toBe('A');
    // Another run's segment names do not apply to this one.
    expect(m.labelOf('s2')).toBe('B');
  });

  it('keeps everything else', () => {
    const m = model();
    m.forget({ topicIds: ['mine'], related: [], labels: [] });
    expect(m.relatedOf('a')).toEqual([{ id: 'b', name: 'B', weight: 0.5 }]);
    expect(m.relatedOf('b')).toEqual([{ id: 'a', name: 'A', weight: 0.5 }]);
    expect(m.categoryOf('a')).toBe('Cat');
  });
});
