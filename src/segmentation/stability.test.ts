import { describe, expect, it } from 'vitest';
import { compareRuns, matchLineage, matchSegments, nmi } from './stability.js';
import { mulberry32 } from './random.js';

describe('nmi', () => {
  it('is 1 for the same partition under other labels and near 0 for independent ones', () => {
    expect(nmi([0, 0, 1, 1, 2, 2], ['b', 'b', 'a', 'a', 'c', 'c'])).toBeCloseTo(1);
    const rng = mulberry32(5);
    const a = Array.from({ length: 5000 }, () => Math.floor(rng() * 5));
    const b = Array.from({ length: 5000 }, () => Math.floor(rng() * 5));
    expect(nmi(a, b)).toBeLessThan(0.01);
    expect(nmi([0, 0, 1, 1], [0, 0, 0, 1])).toBeGreaterThan(0);
    expect(nmi([0, 0, 1, 1], [0, 0, 0, 1])).toBeLessThan(1);
  });
});

describe('matchSegments', () => {
  it('keeps the id of the previous segment with the largest topic overlap, each id at most once', () => {
    const prev = [
      { id: 'run', topics: ['a', 'b', 'c', 'd'] },
      { id: 'cook', topics: ['x', 'y', 'z'] },
    ];
    const m = matchSegments(
      [
        { key: '1', topics: ['x', 'y', 'z', 'w'] },
        { key: '2', topics: ['a', 'b', 'c'] },
        { key: '3', topics: ['d', 'q'] },
      ],
      prev,
    );
    expect(m.get('1')?.id).toBe('cook');
    expect(m.get('2')?.id).toBe('run');
    expect(m.get('2')?.overlap).toBeCloseTo(0.75);
    expect(m.has('3')).toBe(false);
  });

  it('matches "Other interests" only with "Other interests"', () => {
    const prev = [
      { id: 'run', topics: ['a', 'b', 'c', 'd'] },
      { id: 'other-old', topics: ['x', 'y'], other: true },
    ];
    const m = matchSegments(
      [
        // the bucket now holds most of "run": it must not take that id ...
        { key: 'bucket', topics: ['a', 'b', 'c', 'x', 'y'], other: true },
        // ... and a real segment made of former leftovers must not take the bucket's
        { key: 'real', topics: ['x', 'y', 'q'] },
      ],
      prev,
    );
    expect(m.get('bucket')?.id).toBe('other-old');
    expect(m.has('real')).toBe(false);
  });
});

describe('matchLineage', () => {
  // Run A had the usual segments; run B (visible now) was odd: it cut everything differently and got new ids.
  const runA = {
    runId: 'A',
    segments: [
      { id: 'run', topics: ['a', 'b', 'c', 'd'] },
      { id: 'cook', topics: ['x', 'y', 'z'] },
      { id: 'misc', topics: ['m'], other: true },
    ],
  };
  const runB = {
    runId: 'B',
    segments: [
      { id: 'odd1', topics: ['a', 'x'] },
      { id: 'odd2', topics: ['b', 'c', 'd', 'y', 'z', 'm'] },
    ],
  };
  const current = [
    { key: '1', topics: ['a', 'b', 'c', 'd'] },
    { key: '2', topics: ['x', 'y', 'z'] },
    { key: '3', topics: ['m'], other: true },
  ];

  it('finds ids the visible run lost in the runs before it, so one odd run does not reset them', () => {
    const m = matchLineage(current, [runB, runA]);
    expect(m.get('1')).toEqual({ id: 'run', overlap: 1, fromRunId: 'A' });
    expect(m.get('2')).toEqual({ id: 'cook', overlap: 1, fromRunId: 'A' });
    expect(m.get('3')).toEqual({ id: 'misc', overlap: 1, fromRunId: 'A' });
    // Against the latest run alone (as before): odd2 is the best match of segment 1, and the others get new ids.
    const latestOnly = matchLineage(current, [runB]);
    expect(latestOnly.get('1')?.id).toBe('odd2');
    expect(latestOnly.has('2')).toBe(false);
    expect(latestOnly).toEqual(new Map([...matchSegments(current, runB.segments)].map(([k, v]) => [k, { ...v, fromRunId: 'B' }])));
  });

  it('prefers the better overlap, then the newer run, and never gives one id to two segments', () => {
    const newer = { runId: 'C', segments: [{ id: 'run2', topics: ['a', 'b', 'c'] }] };
    const m = matchLineage(current, [newer, runA]);
    expect(m.get('1')).toEqual({ id: 'run', overlap: 1, fromRunId: 'A' });
    expect(m.get('2')?.id).toBe('cook');
    // The same overlap in two runs: the newer one's id.
    const tie = matchLineage(current, [{ runId: 'C', segments: [{ id: 'run3', topics: ['a', 'b', 'c', 'd'] }] }, runA]);
    expect(tie.get('1')).toEqual({ id: 'run3', overlap: 1, fromRunId: 'C' });
    const ids = [...matchLineage(current, [runA, { runId: 'D', segments: [{ id: 'run', topics: ['x', 'y', 'z'] }] }]).values()].map(
      (x) => x.id,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('compareRuns', () => {
  it('reports split, merged, appeared and vanished segments', () => {
    const previous = [
      { id: 'A', topics: ['a1', 'a2', 'a3', 'a4'] },
      { id: 'B', topics: ['b1', 'b2'] },
      { id: 'C', topics: ['c1', 'c2'] },
      { id: 'D', topics: ['d1', 'd2'] },
    ];
    const current = [
      { id: 'A', topics: ['a1', 'a2'] },
      { id: 'N1', topics: ['a3', 'a4'] },
      { id: 'B', topics: ['b1', 'b2', 'c1', 'c2'] },
      { id: 'N2', topics: ['n1', 'n2'] },
    ];
    const s = compareRuns(
      'prev',
      current,
      previous,
      new Map([
        ['A', 0.5],
        ['B', 0.5],
      ]),
    );
    expect(s.split).toEqual([{ id: 'A', into: ['A', 'N1'] }]);
    expect(s.merged).toEqual([{ id: 'B', from: ['B', 'C'] }]);
    expect(s.appeared).toEqual(['N1', 'N2']);
    expect(s.vanished).toEqual(['C', 'D']);
    expect(s.sharedTopics).toBe(8);
    expect(s.nmi).toBeGreaterThan(0.5);
    expect(s.nmi).toBeLessThan(1);
    expect(s.segments.find((x) => x.id === 'A')).toEqual({ id: 'A', overlap: 0.5, previousId: 'A' });
  });

  it('leaves "Other interests" out of split and merged', () => {
    const previous = [
      { id: 'A', topics: ['a1', 'a2', 'a3', 'a4'] },
      { id: 'O', topics: ['o1', 'o2', 'o3', 'o4'], other: true },
    ];
    const current = [
      // half of A went to the bucket, half of the old bucket joined A
      { id: 'A', topics: ['a1', 'a2', 'o1', 'o2'] },
      { id: 'O2', topics: ['a3', 'a4', 'o3', 'o4'], other: true },
    ];
    const s = compareRuns('prev', current, previous, new Map());
    expect(s.split).toEqual([]);
    expect(s.merged).toEqual([]);
  });

  it('has no NMI without a previous run', () => {
    const s = compareRuns(null, [{ id: 'A', topics: ['a'] }], [], new Map());
    expect(s.nmi).toBeNull();
    expect(s.appeared).toEqual(['A']);
  });
});
