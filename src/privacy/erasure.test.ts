import { describe, expect, it } from 'vitest';
import { renameSegments } from './erasure.js';

describe('renameSegments', () => {
  const top = (...names: string[]) => JSON.stringify(names.map((n) => ({ id: `t_${n}`, name: n })));
  const segment = (segmentId: string, topTopics: string, label: string, other = false) => ({
    uid: `r/${segmentId}`,
    runId: 'r',
    segmentId,
    label,
    other,
    topTopics,
  });

  it('names a segment after the top topics that remain when one of its top topics is gone', () => {
    const rows = renameSegments(
      [segment('a', top('x', 'mine', 'y', 'z'), 'x · mine · y'), segment('b', top('u', 'v'), 'u · v'), segment('c', top('mine'), 'mine')],
      new Set(['t_mine']),
    );
    expect(rows).toEqual([
      { uid: 'r/a', runId: 'r', segmentId: 'a', label: 'x · y · z', topTopics: top('x', 'y', 'z') },
      // Nothing left to name it after.
      { uid: 'r/c', runId: 'r', segmentId: 'c', label: 'Unnamed segment', topTopics: '[]' },
    ]);
  });

  it('keeps a name that does not name the topic (a marketer renamed it)', () => {
    expect(renameSegments([segment('a', top('x', 'mine'), 'Surfers')], new Set(['t_mine']))).toEqual([
      { uid: 'r/a', runId: 'r', segmentId: 'a', label: 'Surfers', topTopics: top('x') },
    ]);
  });

  it('keeps the "Other interests" label and drops the topic from its top topics', () => {
    expect(renameSegments([segment('o', top('mine', 'w'), 'Other interests', true)], new Set(['t_mine']))).toEqual([
      { uid: 'r/o', runId: 'r', segmentId: 'o', label: 'Other interests', topTopics: top('w') },
    ]);
  });
});
