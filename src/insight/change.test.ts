import { describe, expect, it } from 'vitest';
import { segmentChange } from './change.js';

const seg = (id: string, userCount: number, label = id.toUpperCase()) => ({ id, label, userCount, topicCount: 4, other: false });

describe('segmentChange', () => {
  const stability = {
    previousRunId: 'r1',
    segments: [
      { id: 'a', overlap: 0.8, previousId: 'a' },
      { id: 'b', overlap: 0.5, previousId: 'b' },
      { id: 'n', overlap: 0, previousId: null },
    ],
    split: [{ id: 'b', into: ['b', 'n'] }],
    merged: [{ id: 'a', from: ['a', 'x'] }],
    appeared: ['n'],
    vanished: ['x'],
  };
  const current = [seg('a', 120), seg('b', 40), seg('n', 30)];
  const previous = [seg('a', 100), seg('b', 70), seg('x', 20, 'Old X')];

  it('says what a kept segment overlaps with, grew by and absorbed', () => {
    expect(segmentChange('a', stability, current, previous)).toEqual({
      previousRunId: 'r1',
      status: 'kept',
      previousId: 'a',
      topicOverlap: 0.8,
      splitFrom: [],
      mergedFrom: [
        { id: 'a', label: 'A' },
        { id: 'x', label: 'Old X' },
      ],
      previous: { label: 'A', userCount: 100, topicCount: 4 },
      userCount: 120,
      userCountChange: 20,
    });
  });

  it('says a new segment split off an earlier one', () => {
    const c = segmentChange('n', stability, current, previous);
    expect(c.status).toBe('new');
    expect(c.previous).toBeNull();
    expect(c.splitFrom).toEqual([{ id: 'b', label: 'B', into: ['b', 'n'] }]);
    expect(segmentChange('b', stability, current, previous).userCountChange).toBe(-30);
  });

  it('has nothing to compare on a first run', () => {
    const c = segmentChange('a', { ...stability, previousRunId: null }, current, []);
    expect(c.status).toBe('first-run');
    expect(c.userCount).toBe(120);
    expect(segmentChange('a', null, current, []).previousRunId).toBeNull();
  });
});
