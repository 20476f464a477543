import { describe, expect, it } from 'vitest';
import { generateProfiles, plantedTopics } from '../demo/planted.js';
import { generateMixtures } from '../../scripts/lib/planted-mixtures.js';
import { detectCommunities } from './communities.js';
import { InterestCollector, project, sparsify } from './projection.js';
import { type CommunityAudience, DEFAULT_PARAMS, type Level, type PreviousRun, segmentInterests, type SegmentsResult } from './pipeline.js';
import { nmi } from './stability.js';
import { segmentDetected } from './segment-detected.js';

function load(opts: Parameters<typeof generateProfiles>[0], reorder = false) {
  const c = new InterestCollector();
  const records = [...generateProfiles(opts)].filter((r) => r.consent.segmentation);
  // reordered: users last to first and each user's interests reversed, so topics arrive in another order
  if (reorder) records.reverse().forEach((r) => r.interests.reverse());
  for (const r of records)
    c.addUser(
      r.interests.map((i) => i.topic),
      r.interests.map((i) => i.weight),
    );
  return c;
}

/** Each segment of a level as its sorted topic ids, sorted: the partition, whatever the ids. */
function partition(r: SegmentsResult, level: 'coarse' | 'fine') {
  return r.segments
    .filter((s) => s.level === level)
    .map((s) =>
      s.topics
        .map((t) => t.id)
        .sort()
        .join(','),
    )
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
    it(`recovers the planted communities at 20% noise (${weighting})`, async () => {
      const r = await segmentInterests(interests, meta, { ...DEFAULT_PARAMS, weighting }, null, ids);
      const coarse = r.segments.filter((s) => s.level === 'coarse');
      const of = new Map(coarse.flatMap((s) => s.topics.map((t) => [t.id, s.id] as const)));
      const topics = [...of.keys()];
      expect(topics.length).toBe(150);
      expect(
        nmi(
          topics.map((t) => truth.get(t)!),
          topics.map((t) => of.get(t)!),
        ),
      ).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('sizes and labels segments from their own topics, and fine segments point at coarse parents', async () => {
    const r = await segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
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

  it('gives the same segments for the same seed whatever order users and topics arrive in', async () => {
    const a = await segmentInterests(load(opts), meta, DEFAULT_PARAMS, null, ids);
    const b = await segmentInterests(load(opts, true), meta, DEFAULT_PARAMS, null, ids);
    for (const level of ['coarse', 'fine'] as const) expect(partition(b, level)).toEqual(partition(a, level));
    expect(b.segments.map((s) => s.label)).toEqual(a.segments.map((s) => s.label));
    expect(b.modularity).toBe(a.modularity);
  });

  it('reports the modularity of the partition it stores', async () => {
    // Everybody likes one topic only: no topic has evidence of belonging anywhere, so all land in "Other interests",
    // one community, whose modularity is 0.
    const c = new InterestCollector();
    for (let u = 0; u < 600; u++) c.addUser([`Only ${u % 40}`], [1]);
    const r = await segmentInterests(c, new Map(), DEFAULT_PARAMS, null, ids);
    expect(r.segments.filter((s) => s.level === 'coarse').map((s) => s.other)).toEqual([true]);
    expect(r.segments[0]!.topicCount).toBe(40);
    expect(r.significantSegments).toBe(0);
    expect(r.modularity).toBeCloseTo(0, 9);
    expect((await segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids)).modularity).toBeGreaterThan(0.5);
  });

  it('flags no segment significant on data without communities, and every planted one on mixtures', async () => {
    const load = (pureNoise: boolean) => {
      const data = generateMixtures({ people: 5000, communities: 30, interests: 12, seed: 1, pureNoise });
      const c = new InterestCollector();
      for (const p of data.people)
        c.addUser(
          p.topics.map((t) => data.topics[t]!),
          p.weights,
        );
      return c;
    };
    const noise = await segmentInterests(load(true), new Map(), DEFAULT_PARAMS, null, ids);
    expect(noise.significantSegments).toBe(0);
    const planted = await segmentInterests(load(false), new Map(), DEFAULT_PARAMS, null, ids);
    expect(planted.significantSegments).toBe(30);
    expect(planted.seedNmi).toBeGreaterThan(0.95);
    for (const s of planted.segments.filter((x) => x.level === 'coarse')) {
      expect(s.quality!.seedStability).toBeGreaterThan(0.9);
      expect(s.quality!.conductance).toBeLessThan(0.8);
    }
  }, 60_000);

  it('keeps segment ids on a rerun and reports full stability; a changed population reports changes', async () => {
    const first = await segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
    const previous: PreviousRun = {
      runId: 'run-1',
      segments: first.segments.map((s) => ({ id: s.id, level: s.level, topics: s.topics.map((t) => t.id) })),
    };
    const second = await segmentInterests(interests, meta, { ...DEFAULT_PARAMS, seed: 99 }, previous, ids);
    expect(
      second.segments
        .filter((s) => s.level === 'coarse')
        .map((s) => s.id)
        .sort(),
    ).toEqual(
      first.segments
        .filter((s) => s.level === 'coarse')
        .map((s) => s.id)
        .sort(),
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
    const third = await segmentInterests(interests, meta, DEFAULT_PARAMS, cut, ids);
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

  it('finds the communities at the coarse level and their sub-communities at the fine level, nested', async () => {
    const r = await segmentInterests(interests, meta, DEFAULT_PARAMS, null, ids);
    const coarse = r.segments.filter((s) => s.level === 'coarse');
    const fine = r.segments.filter((s) => s.level === 'fine');
    expect(coarse).toHaveLength(8);
    expect(fine).toHaveLength(16);
    const score = (segments: typeof fine, truth: (t: (typeof planted)[number]) => number) => {
      const of = new Map(segments.flatMap((s) => s.topics.map((t) => [t.id, s.id] as const)));
      return nmi(
        planted.map(truth),
        planted.map((t) => of.get(t.name) ?? 'none'),
      );
    };
    expect(score(coarse, (t) => t.community)).toBeGreaterThanOrEqual(0.95);
    expect(score(fine, (t) => t.subgroup)).toBeGreaterThanOrEqual(0.95);
    const topicsOf = new Map(coarse.map((s) => [s.id, new Set(s.topics.map((t) => t.id))]));
    for (const s of fine) for (const t of s.topics) expect(topicsOf.get(s.parentId!)!.has(t.id)).toBe(true);
    // fine shares sum to 1 over the level, like coarse ones
    expect(fine.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 3);
  });
});

describe('segmentDetected (the steps after detection, shared with the GDS engine)', () => {
  const opts = { users: 2000, communities: 6, topicsPerCommunity: 10, noise: 0.2, seed: 3 };
  const interests = load(opts);
  interests.sortTopics();
  const meta = new Map(plantedTopics(opts).map((t) => [t.name, { name: t.name }]));
  const p = project(interests, DEFAULT_PARAMS);
  const keep = sparsify(p, DEFAULT_PARAMS.neighbours);
  // Shaped like the GDS engine's answer: only the kept edges exist.
  const kept = Array.from(keep.keys()).filter((e) => keep[e]);
  const edges = {
    nodeCount: p.nodeCount,
    edgeA: kept.map((e) => p.edgeA[e]!),
    edgeB: kept.map((e) => p.edgeB[e]!),
    edgeWeight: kept.map((e) => p.edgeWeight[e]!),
    active: p.active,
  };

  it('takes segment sizes from the injected audience step, once per level, and nests fine in coarse', async () => {
    const calls: Array<{ level: Level; communities: number[]; size: number }> = [];
    const audience = (level: Level, membership: Int32Array, communities: number[]): Promise<CommunityAudience> => {
      calls.push({ level, communities, size: membership.length });
      // Recognisable numbers: 100 + community, and equal shares.
      return Promise.resolve({
        users: new Map(communities.map((c) => [c, 100 + c])),
        share: new Map(communities.map((c) => [c, 1 / communities.length])),
        segmented: 77,
      });
    };
    const r = await segmentDetected(
      {
        topicIds: interests.topicIds,
        support: p.support,
        active: p.active,
        users: p.users,
        edges,
        detectionEdges: edges,
        detection: detectCommunities(edges, DEFAULT_PARAMS),
      },
      meta,
      DEFAULT_PARAMS,
      null,
      ids,
      audience,
    );
    expect(calls.map((c) => c.level)).toEqual(['coarse', 'fine']);
    for (const c of calls) expect(c.size).toBe(interests.topicIds.length);
    const coarse = r.segments.filter((s) => s.level === 'coarse');
    expect(coarse).toHaveLength(6);
    expect(coarse.map((s) => s.userCount).sort()).toEqual(calls[0]!.communities.map((c) => 100 + c).sort());
    expect(coarse.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 6);
    expect(r.edges).toBe(kept.length);
    expect(r.users).toBe(p.users);
    expect(r.segmentedUsers).toBe(77);
    // The same partition as the in-process run on all edges: the planted data has no tiny communities to fold.
    const inProcess = await segmentInterests(load(opts), meta, DEFAULT_PARAMS, null, ids);
    expect(partition(r, 'coarse')).toEqual(partition(inProcess, 'coarse'));
    // RELATED only from the edges it was given.
    const keptPairs = new Set(kept.map((e) => `${interests.topicIds[p.edgeA[e]!]} ${interests.topicIds[p.edgeB[e]!]}`));
    for (const rel of r.related) expect(keptPairs.has([rel.from, rel.to].sort().join(' '))).toBe(true);
  });
});
