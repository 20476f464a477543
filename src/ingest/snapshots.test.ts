import { describe, expect, it } from 'vitest';
import { combineSnapshots, decodeSnapshot, encodeSnapshot, planPerson } from './snapshots.js';

const i = (key: string, w: number, at: string | null = null) => ({ key, w, at });

describe('snapshots', () => {
  it('round-trips through the stored JSON and ignores entries it cannot read', () => {
    const rows = [i('chess', 2, '2026-10-01T00:00:00.000Z'), i('go', 1)];
    expect(decodeSnapshot(encodeSnapshot(rows))).toEqual(rows);
    expect(decodeSnapshot('[["a", 1, null], ["b"], 7, ["c", "x"]]')).toEqual([i('a', 1)]);
    expect(decodeSnapshot('{"a": 1}')).toEqual([]);
  });

  it('adds weights per topic and keeps the latest time', () => {
    expect(
      combineSnapshots([
        [i('a', 1, '2026-01-01'), i('b', 2)],
        [i('a', 3, '2026-02-01'), i('c', 1, '2025-01-01')],
      ]),
    ).toEqual([i('a', 4, '2026-02-01'), i('b', 2), i('c', 1, '2025-01-01')]);
  });
});

describe('planPerson', () => {
  it('writes a single identity as it is, without snapshots', () => {
    const current = () => {
      throw new Error('must not read the edges');
    };
    expect(planPerson(new Map([['crm:a', [i('x', 1)]]]), [{ key: 'crm:a', snapshot: null }], current)).toEqual({
      interests: [i('x', 1)],
      snapshots: [],
    });
  });

  it('adds a second identity to what the first one put on the edges and snapshots both', () => {
    const plan = planPerson(
      new Map([['crm:b', [i('y', 2)]]]),
      [
        { key: 'crm:a', snapshot: null },
        { key: 'crm:b', snapshot: null },
      ],
      () => [i('x', 1, '2026-10-01T00:00:00.000Z'), i('y', 1)],
    );
    expect(plan.interests).toEqual([i('y', 3), i('x', 1, '2026-10-01T00:00:00.000Z')]);
    expect(plan.snapshots).toEqual([
      { key: 'crm:b', snapshot: encodeSnapshot([i('y', 2)]) },
      { key: 'crm:a', snapshot: encodeSnapshot([i('x', 1, '2026-10-01T00:00:00.000Z'), i('y', 1)]) },
    ]);
  });

  it('replaces only the re-imported identity’s part once every identity has a snapshot', () => {
    const known = [
      { key: 'crm:a', snapshot: encodeSnapshot([i('x', 1)]) },
      { key: 'crm:b', snapshot: encodeSnapshot([i('y', 2)]) },
    ];
    const plan = planPerson(new Map([['crm:a', [i('z', 5)]]]), known, () => {
      throw new Error('must not read the edges');
    });
    expect(plan.interests).toEqual([i('z', 5), i('y', 2)]);
    expect(plan.snapshots).toEqual([{ key: 'crm:a', snapshot: encodeSnapshot([i('z', 5)]) }]);
  });

  it('combines two records of one new person in the same batch', () => {
    const plan = planPerson(
      new Map([
        ['crm:a', [i('x', 1)]],
        ['crm:b', [i('x', 2)]],
      ]),
      [
        { key: 'crm:a', snapshot: null },
        { key: 'crm:b', snapshot: null },
      ],
      () => [],
    );
    expect(plan.interests).toEqual([i('x', 3)]);
    expect(plan.snapshots.map((s) => s.key)).toEqual(['crm:a', 'crm:b']);
  });
});
