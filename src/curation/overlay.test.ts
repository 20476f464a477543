import { describe, expect, it } from 'vitest';
import { type PlacedDecision, planOverlay, type RunSegment } from './overlay.js';

const seg = (id: string, userCount: number, other = false): RunSegment => ({
  id,
  label: `auto ${id}`,
  other,
  userCount,
  topTopics: [
    { id: `${id}-t1`, name: `${id} one` },
    { id: `${id}-t2`, name: `${id} two` },
  ],
});
const run = [seg('a', 50), seg('b', 40), seg('c', 30), seg('d', 20), seg('o', 99, true)];
const d = (id: string, seq: number, kind: PlacedDecision['kind'], targets: string[], label: string | null = null): PlacedDecision => ({
  id,
  seq,
  kind,
  label,
  targets,
});

describe('curation overlay', () => {
  it('shows a merge under the segment the others were merged into, named as asked', () => {
    const plan = planOverlay(run, [d('m1', 1, 'merge', ['c', 'a'], 'Makers')]);
    expect(plan.groups).toEqual([expect.objectContaining({ head: 'c', members: ['c', 'a'], decisionIds: ['m1'], granularity: false })]);
    expect(plan.labels.get('c')).toMatchObject({ label: 'Makers', source: 'merge' });
    expect(plan.labels.has('a')).toBe(false);
  });

  it('joins merges that share a segment, and never takes "Other interests" in', () => {
    const plan = planOverlay(run, [d('m1', 1, 'merge', ['a', 'b']), d('m2', 2, 'merge', ['b', 'c', 'o'])]);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.members).toEqual(['a', 'b', 'c']);
    // Unnamed: after its members' most central topics.
    expect(plan.labels.get('a')).toMatchObject({ source: 'group', label: 'a one · b one · c one' });
  });

  it('suffixes a name whose segment split, the newest name winning', () => {
    const plan = planOverlay(run, [d('r1', 1, 'rename', ['b', 'd'], 'Runners'), d('r2', 2, 'rename', ['d'], 'Sprinters')]);
    expect(plan.labels.get('b')).toMatchObject({ label: 'Runners (1)', source: 'inherited', decisionId: 'r1' });
    expect(plan.labels.get('d')).toMatchObject({ label: 'Sprinters', source: 'rename' });
  });

  it("groups the granularity's cut like a merge, marked as such", () => {
    const plan = planOverlay(run, [], [['c', 'd'], ['a'], ['b']]);
    expect(plan.groups).toEqual([expect.objectContaining({ head: 'c', members: ['c', 'd'], granularity: true, decisionIds: [] })]);
  });
});
