import { describe, expect, it } from 'vitest';
import { generateProfiles, plantedTopics } from '../../scripts/generate.js';
import { InterestCollector } from './projection.js';
import { DEFAULT_PARAMS, type PreviousRun, segmentInterests } from './pipeline.js';
import { nmi } from './stability.js';

function load(opts: Parameters<typeof generateProfiles>[0], reorder = false) {
  const c = new InterestCollector();
  const records = [...generateProfiles(opts)].filter((r) => r.consent.segmentation);
  // reordered: users last to first and each user's interests reversed, so topics arrive in another order
  if (reorder) records.reverse().forEach((r) => r.interests.reverse());
  for (const r of records) c.addUser(r.interests.map((i) => i.topic), r.interests.map((i) => i.weight));
  return c;
}

/** Each segment of a level as its sorted topic ids, sorted: the partition, whatever the ids. */
function partition(r: ReturnType<typeof segmentInterests>, level: 'coarse' | 'fine') {
  return r.segments
    .filter((s) => s.level === level)
    .map((s) => s.topics.map((t) => t.id).sort().join(','))
    .sort();
}

let counter = 0;
const ids = (l: string) => `${l}-${++counter}`;

describe('segmentInterests on planted communities', () => {
  const opts = { users: 3000, communities: 10, topicsPerCommunity: 15, noise: 0.2, seed: 11 };
  const truth = new Map(plantedTopics(opts).map((t) => [t.name, t.community]));
  const interests = load(opts);
  const meta = new Map(plantedTopics(opts).map((t) => [t.name, { name: t.name, category: t.category }]));

  for (const weighting of ['npmi', 'cosine', 'jaccard', 'count'] as const) {
    it(`recovers the planted communities at 20% noise (${weighting})`, () => {
      const r = segmentInterests(interests, meta, { ...DEFAULT_PARAMS, weighting }, null, ids);
      const coarse = r.segments.filter((s) => s.level === 'coarse');
      const of = new Map(coarse.flatMap((s) => s.topics.map((t) => [t.id, s.id] as const)));
      const topics = [...of.keys()];
      expect(topics.length).toBe(150);
      expect(nmi(topics.map((t) => truth.get(t)!), topics.map((t) => of.get(t)!))).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('sizes and labels segments from their own topics, and fine segments point at coarse parents', () => {
    const r = segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
    const coarse = r.segments.filter((s) => s.level === 'coarse');
    const fine = r.segments.filter((s) => s.level === 'fine');
    expect(coarse.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 3);
    for (const s of coarse) {
      const members = new Set(s.topics.map((t) => t.id));
      expect(s.topTopics.every((t) => members.has(t.id))).toBe(true);
      expect(s.label).toContain(s.topTopics[0]!.name);
      expect(s.userCount).toBeGreaterThan(0);
      expect(s.userCount).toBeLessThanOrEqual(r.users);
      expect(s.topics[0]!.score).toBe(1);
    }
    const coarseIds = new Set(coarse.map((s) => s.id));
    for (const s of fine) expect(coarseIds.has(s.parentId!)).toBe(true);
    expect(r.related.length).toBeGreaterThan(0);
    // Homogeneous planted communities have no sub-structure: each coarse segment is one fine segment.
    expect(partition(r, 'fine')).toEqual(partition(r, 'coarse'));
  });

  it('gives the same segments for the same seed whatever order users and topics arrive in', () => {
    const a = segmentInterests(load(opts), meta, DEFAULT_PARAMS, null, ids);
    const b = segmentInterests(load(opts, true), meta, DEFAULT_PARAMS, null, ids);
    for (const level of ['coarse', 'fine'] as const) expect(partition(b, level)).toEqual(partition(a, level));
    expect(b.segments.map((s) => s.label)).toEqual(a.segments.map((s) => s.label));
    expect(b.modularity).toBe(a.modularity);
  });

  it('reports the modularity of the partition it stores', () => {
    // Every community is below minSegmentSize and none can be folded into a proper one: all topics land in "Other
    // interests", one community, whose modularity is 0 whatever Louvain found before grouping.
    const r = segmentInterests(interests, meta, { ...DEFAULT_PARAMS, minSegmentSize: 1000 }, null, ids);
    expect(r.segments.filter((s) => s.level === 'coarse').map((s) => s.other)).toEqual([true]);
    expect(r.modularity).toBeCloseTo(0, 9);
    expect(segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids).modularity).toBeGreaterThan(0.5);
  });

  it('keeps segment ids on a rerun and reports full stability; a changed population reports changes', () => {
    const first = segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
    const previous: PreviousRun = {
      runId: 'run-1',
      segments: first.segments.map((s) => ({ id: s.id, level: s.level, topics: s.topics.map((t) => t.id) })),
    };
    const second = segmentInterests(interests, meta, { ...DEFAULT_PARAMS, seed: 99 }, previous, ids);
    expect(second.segments.filter((s) => s.level === 'coarse').map((s) => s.id).sort()).toEqual(
      first.segments.filter((s) => s.level === 'coarse').map((s) => s.id).sort(),
    );
    expect(second.stability.coarse.nmi).toBeCloseTo(1);
    expect(second.stability.coarse.appeared).toEqual([]);
    expect(second.stability.coarse.vanished).toEqual([]);

    // A previous run that had one community cut in two halves: the new run merges them back, keeps one id.
    const whole = first.segments.find((x) => x.level === 'coarse' && !x.other)!;
    const half = Math.ceil(whole.topics.length / 2);
    const cut: PreviousRun = {
      runId: 'run-2',
      segments: [
        ...previous.segments.filter((x) => x.id !== whole.id),
        { id: 'P1', level: 'coarse', topics: whole.topics.slice(0, half).map((t) => t.id) },
        { id: 'P2', level: 'coarse', topics: whole.topics.slice(half).map((t) => t.id) },
      ],
    };
    const third = segmentInterests(interests, meta, DEFAULT_PARAMS, cut, ids);
    const s = third.stability.coarse;
    expect(s.previousRunId).toBe('run-2');
    expect(s.merged).toHaveLength(1);
    expect(s.merged[0]!.from).toEqual(['P1', 'P2']);
    expect(['P1', 'P2']).toContain(s.merged[0]!.id);
    expect(s.vanished).toEqual(['P1', 'P2'].filter((x) => x !== s.merged[0]!.id));
    expect(s.split).toEqual([]);
    expect(s.nmi!).toBeLessThan(1);
  });
});

describe('segmentInterests on planted communities with sub-communities', () => {
  const opts = { users: 3000, communities: 8, topicsPerCommunity: 16, noise: 0.2, seed: 5, subgroups: 2 };
  const planted = plantedTopics(opts);
  const interests = load(opts);
  const meta = new Map(planted.map((t) => [t.name, { name: t.name }]));

  it('finds the communities at the coarse level and their sub-communities at the fine level, nested', () => {
    const r = segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
    const coarse = r.segments.filter((s) => s.level === 'coarse');
    const fine = r.segments.filter((s) => s.level === 'fine');
    expect(coarse).toHaveLength(8);
    expect(fine).toHaveLength(16);
    const score = (segments: typeof fine, truth: (t: (typeof planted)[number]) => number) => {
      const of = new Map(segments.flatMap((s) => s.topics.map((t) => [t.id, s.id] as const)));
      return nmi(planted.map(truth), planted.map((t) => of.get(t.name) ?? 'none'));
    };
    expect(score(coarse, (t) => t.community)).toBeGreaterThanOrEqual(0.95);
    expect(score(fine, (t) => t.subgroup)).toBeGreaterThanOrEqual(0.95);
    const topicsOf = new Map(coarse.map((s) => [s.id, new Set(s.topics.map((t) => t.id))]));
    for (const s of fine) for (const t of s.topics) expect(topicsOf.get(s.parentId!)!.has(t.id)).toBe(true);
    // fine shares sum to 1 over the level, like coarse ones
    expect(fine.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 3);
  });
});
