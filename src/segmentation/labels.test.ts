import { describe, expect, it } from 'vitest';
import { visibleLabel, labelSegment, OTHER_LABEL } from './labels.js';

describe('labelSegment', () => {
  const names = ['Marathon', 'Trail running', 'Running shoes', 'Socks', 'Parkrun'];
  it('names a segment after its most central topics and scores them relative to the most central', () => {
    const centrality = [8, 10, 6, 1, 0];
    const support = [50, 10, 40, 900, 5];
    const l = labelSegment([0, 1, 2, 3, 4], centrality, support, names, { labelTopics: 2, topTopics: 3 });
    expect(l.label).toBe('Trail running · Marathon');
    expect(l.top).toEqual([1, 0, 2]);
    expect(l.ranked[0]).toEqual({ index: 1, score: 1 });
    expect(l.ranked.find((r) => r.index === 2)?.score).toBeCloseTo(0.6);
  });

  it('falls back to support when nothing is connected, and names the bucket "Other interests"', () => {
    const l = labelSegment([3, 4], [0, 0, 0, 0, 0], [0, 0, 0, 2, 8], names, { other: true });
    expect(l.label).toBe(OTHER_LABEL);
    expect(l.top).toEqual([4, 3]);
    expect(l.ranked[0]!.score).toBe(1);
  });
});

describe('visibleLabel', () => {
  const top = ['A', 'B', 'C', 'D'].map((n) => ({ id: n.toLowerCase(), name: n }));
  it('makes a label naming a hidden topic again from the others, and leaves the rest alone', () => {
    expect(visibleLabel('A · B · C', top, (id) => id === 'b')).toBe('A · C · D');
    const same = 'A · B · C';
    expect(visibleLabel(same, top, () => false)).toBe(same);
    expect(visibleLabel('My own name', top, (id) => id === 'a')).toBe('My own name');
    expect(visibleLabel('A', [top[0]!], () => true)).toBe('Unnamed segment');
  });
});
