import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison, Insight } from '../src/insight/insight-service.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic } from './support/dashboard-seed.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import {
  CATEGORIES,
  MIXERS,
  PER_COMMUNITY,
  plantedPeople,
  POPULAR,
  profiles,
  rareTopic,
  topicsOf,
  type PlantedPerson,
} from './support/planted.js';

/**
 * Insight on planted communities, through the HTTP API on a Neo4j of its own: lifts are population-wide figures, and
 * the shared database holds every other file's people too. The expected figures are counted here by brute force from
 * what was planted and the run's topic → segment map. Audiences are taken at a minimum affinity of 0.3: a run may
 * place the topics everyone holds in any segment (docs/segmentation.md, placement), which at 0 would make everyone
 * a member of that one; at 0.3 a community's audience is its members and the mixers whatever the placement.
 */

let db: OwnNeo4j;
let t: TestApp;
let marketer: string;
let people: PlantedPerson[];
let segOf: Map<string, string>;
let climbing: string;
let jazz: string;

async function loadTopicSegments(): Promise<Map<string, string>> {
  const graph = await getJson<{ nodes: Array<{ name: string; segmentId: string }> }>(t, marketer, '/v1/segments/graph');
  return new Map(graph.nodes.map((n) => [n.name, n.segmentId]));
}

/** The minimum affinity of the audiences compared here (see above). */
const MIN = 0.3;
const MIN_Q = { minAffinity: String(MIN) };

/** A person's segmented topics. */
const held = (p: PlantedPerson) => new Set(p.interests.filter((i) => i.weight > 0 && segOf.has(i.topic)).map((i) => i.topic));
const populationNow = () => people.filter((p) => p.consent && held(p).size > 0);
/** Affinity as a segment of one computes it: the share of the person's segmented interest weight, 6 digits. */
function affinity(p: PlantedPerson, segmentId: string): number {
  let mine = 0;
  let all = 0;
  for (const i of p.interests) {
    const s = segOf.get(i.topic);
    if (s === undefined || !(i.weight > 0)) continue;
    all += i.weight;
    if (s === segmentId) mine += i.weight;
  }
  return all > 0 ? Math.round((mine / all) * 1e6) / 1e6 : 0;
}
/** A segment's audience: the population's people with at least `min` affinity to it (and some). */
const membersOf = (segmentId: string, min = MIN) =>
  populationNow().filter((p) => {
    const a = affinity(p, segmentId);
    return a > 0 && a >= min;
  });
const holdersIn = (group: PlantedPerson[]) => {
  const m = new Map<string, number>();
  for (const p of group) for (const topic of held(p)) m.set(topic, (m.get(topic) ?? 0) + 1);
  return m;
};
const lift4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** What insight should say for the people holding a topic of `segmentId`, counted from the planted data. */
function expected(segmentId: string, minSupport?: number, min = MIN) {
  const population = populationNow();
  const members = membersOf(segmentId, min);
  const count = holdersIn;
  const inMembers = count(members);
  const inPopulation = count(population);
  const support = minSupport ?? Math.max(3, Math.ceil(members.length * 0.01));
  const topics = [...inMembers]
    .map(([name, m]) => ({
      name,
      members: m,
      holders: inPopulation.get(name)!,
      lift: lift4(m / members.length / (inPopulation.get(name)! / population.length)),
    }))
    .filter((r) => r.members >= support && r.lift > 1);
  return { population: population.length, size: members.length, topics, support };
}

const insightOf = (segmentId: string, q: Record<string, string> = {}) =>
  getJson<Insight>(t, marketer, `/v1/segments/${encodeURIComponent(segmentId)}/insight?${new URLSearchParams(q)}`);

beforeAll(async () => {
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'process' });
  marketer = await t.keyFor('marketer');
  people = plantedPeople('ins');
  await importProfiles(t, t.adminKey, profiles(people));
  await runSegmentation(t, marketer);
  segOf = await loadTopicSegments();
  climbing = (await segmentOfTopic(t, marketer, topicsOf(0)[0]!)).segmentId;
  jazz = (await segmentOfTopic(t, marketer, topicsOf(1)[0]!)).segmentId;
  // The planted structure was found: each community is one segment.
  for (let c = 0; c < 4; c++) expect(new Set(topicsOf(c).map((n) => segOf.get(n))).size).toBe(1);
  expect(new Set([0, 1, 2, 3].map((c) => segOf.get(topicsOf(c)[0]!))).size).toBe(4);
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

describe('segment insight', () => {
  it("lists a planted community's topics as over-indexed (lift > 2) with their support, and no popular noise", async () => {
    const got = await insightOf(climbing, { ...MIN_Q, topics: '100' });
    const want = expected(climbing);
    // Everyone who consents holds the popular topics, so everyone is in the population; the climbers and the mixers
    // are the segment's audience at 0.3.
    expect(got.population).toBe(4 * PER_COMMUNITY + MIXERS);
    expect(want.population).toBe(got.population);
    expect(got.size).toBe(PER_COMMUNITY + MIXERS);
    expect(got.profiled).toBe(got.size);
    expect(got.populationShare).toBeCloseTo(got.size / got.population, 6);
    expect(got.minSupport).toBe(want.support);

    const overTwo = got.topics.filter((x) => x.lift > 2).map((x) => x.name);
    expect(overTwo.sort()).toEqual([...topicsOf(0)].sort());
    for (const noise of [...POPULAR, ...topicsOf(1), ...topicsOf(2), ...topicsOf(3)])
      expect(got.topics.map((x) => x.name)).not.toContain(noise);
    // Exact figures, as counted from the planted data.
    expect(got.topics.map((x) => x.name).sort()).toEqual(want.topics.map((x) => x.name).sort());
    for (const row of got.topics) {
      const w = want.topics.find((x) => x.name === row.name)!;
      expect({ members: row.members, holders: row.holders, lift: row.lift }).toEqual({
        members: w.members,
        holders: w.holders,
        lift: w.lift,
      });
      expect(row.memberShare).toBeCloseTo(row.members / got.profiled, 6);
      expect(row.holderShare).toBeCloseTo(row.holders / got.population, 6);
      expect(row.category).toBe(CATEGORIES[0]);
    }
    expect(got.topics.every((x, i) => i === 0 || x.lift <= got.topics[i - 1]!.lift)).toBe(true);
    expect(got.label.split(' · ').every((n) => topicsOf(0).includes(n))).toBe(true);
    // Categories: the community's own first, the popular one at the population's rate.
    expect(got.categories[0]!.name).toBe(CATEGORIES[0]);
    expect(got.categories[0]!.lift).toBeGreaterThan(2);
    expect(got.categories.find((c) => c.name === 'Popular')!.lift).toBe(1);
  });

  it('keeps thinly supported topics out by a minimum support: rare topics shared by two people', async () => {
    const rare = Array.from({ length: 8 }, (_, k) => rareTopic(0, k));
    // The run places them with their holders' community (docs/segmentation.md): they count like any topic.
    for (const r of rare) expect(segOf.get(r)).toBe(climbing);
    const byDefault = await insightOf(climbing, { ...MIN_Q, topics: '100' });
    expect(byDefault.topics.filter((x) => rare.includes(x.name))).toEqual([]);
    const loose = await insightOf(climbing, { ...MIN_Q, topics: '100', minSupport: '1' });
    const shown = loose.topics.filter((x) => rare.includes(x.name));
    // Without the minimum they would rank with the community's own topics, on the word of two people each.
    expect(shown.length).toBeGreaterThan(0);
    for (const r of shown) {
      expect(r.members).toBe(2);
      expect(r.lift).toBeGreaterThan(2);
    }
    expect(loose.topics.map((x) => x.name).sort()).toEqual(
      expected(climbing, 1)
        .topics.map((x) => x.name)
        .sort(),
    );
  });

  it('lists the people with the highest affinity as the audience does, at the same thresholds', async () => {
    const got = await insightOf(climbing, { minAffinity: '0.5', people: '5' });
    const audience = await getJson<{ items: Array<{ user: string; affinity: number; lift: number }>; total: number }>(
      t,
      marketer,
      `/v1/segments/${climbing}/audience?minAffinity=0.5&limit=5`,
    );
    expect(got.topPeople).toEqual(audience.items);
    expect(got.size).toBe(audience.total);
    expect(got.size).toBe(membersOf(climbing, 0.5).length);
    expect(got.topPeople.every((p) => p.user.startsWith('crm:ins-'))).toBe(true);
  });

  it('gives the same insight for the same audience posted as a definition, and for rules', async () => {
    const body = { audience: { segment: climbing, minAffinity: MIN }, topics: 100 };
    const res = await t.call('POST', '/v1/audiences/insight', { key: marketer, body });
    expect(res.status).toBe(200);
    const posted = (await res.json()) as Insight;
    const got = await insightOf(climbing, { ...MIN_Q, topics: '100' });
    expect(posted.topics).toEqual(got.topics);
    expect(posted.size).toBe(got.size);

    // Holders of one climbing topic, outside the segment machinery: their other climbing topics over-index too.
    const first = topicsOf(0)[0]!;
    const rule = await t.call('POST', '/v1/audiences/insight', {
      key: marketer,
      body: { audience: { where: { interest: { topic: first } } } },
    });
    expect(rule.status).toBe(200);
    const byRule = (await rule.json()) as Insight;
    const holders = people.filter((p) => p.consent && p.interests.some((i) => i.topic === first));
    expect(byRule.size).toBe(holders.length);
    expect(byRule.segment).toBeNull();
    expect(byRule.change).toBeNull();
    expect(byRule.topics[0]!.name).toBe(first);
    expect(byRule.topics.filter((x) => x.lift > 2).every((x) => topicsOf(0).includes(x.name))).toBe(true);
  });

  it('compares two segments: sizes, the people in both, and the topics each over-indexes on against the other', async () => {
    const res = await t.call('POST', '/v1/audiences/compare', {
      key: marketer,
      body: { a: { segment: climbing, minAffinity: MIN }, b: { segment: jazz, minAffinity: MIN }, topics: 100 },
    });
    expect(res.status).toBe(200);
    const got = (await res.json()) as Comparison;
    const a = membersOf(climbing);
    const b = membersOf(jazz);
    const both = a.filter((p) => b.includes(p));
    expect(got.a.size).toBe(a.length);
    expect(got.b.size).toBe(b.length);
    // The planted mixers, and nobody else, are in both.
    expect(both.every((p) => p.community === 'mixer')).toBe(true);
    expect(got.overlap.people).toBe(MIXERS);
    expect(got.overlap.people).toBe(both.length);
    expect(got.overlap.jaccard).toBeCloseTo(both.length / (a.length + b.length - both.length), 6);
    expect(got.overlap.shareOfA).toBeCloseTo(both.length / a.length, 6);
    expect(got.population).toBe(populationNow().length);

    // Distinct topics: each side's own community, exactly as counted from the planted data.
    const distinct = (x: PlantedPerson[], y: PlantedPerson[]) => {
      const hx = holdersIn(x);
      const hy = holdersIn(y);
      const support = Math.max(3, Math.ceil(x.length * 0.01));
      return [...hx]
        .map(([name, m]) => ({
          name,
          a: m,
          b: hy.get(name) ?? 0,
          lift: lift4(m / x.length / (Math.max(hy.get(name) ?? 0, 0.5) / y.length)),
        }))
        .filter((r) => r.a >= support && r.lift > 1);
    };
    expect(got.topicsA.map((x) => x.name).sort()).toEqual([...topicsOf(0)].sort());
    expect(got.topicsB.map((x) => x.name).sort()).toEqual([...topicsOf(1)].sort());
    for (const [rows, want, mine, other] of [
      [got.topicsA, distinct(a, b), 'a', 'b'],
      [got.topicsB, distinct(b, a), 'b', 'a'],
    ] as const) {
      expect(rows.map((r) => r.name).sort()).toEqual(want.map((r) => r.name).sort());
      for (const r of rows) {
        const w = want.find((x) => x.name === r.name)!;
        expect([r[mine].members, r[other].members, r.lift]).toEqual([w.a, w.b, w.lift]);
        expect(r.lift).toBeGreaterThan(2);
      }
    }
    expect(got.categoriesA[0]!.name).toBe(CATEGORIES[0]);
    expect(got.categoriesB[0]!.name).toBe(CATEGORIES[1]);

    // Rules against a segment: holders of a jazz topic are jazz people and mixers, so they overlap jazz entirely.
    const ruled = await t.call('POST', '/v1/audiences/compare', {
      key: marketer,
      body: { a: { where: { interest: { topic: topicsOf(1)[0] } } }, b: { segment: jazz, minAffinity: MIN } },
    });
    expect(ruled.status).toBe(200);
    const r = (await ruled.json()) as Comparison;
    expect(r.overlap.people).toBe(r.a.size);
    expect(r.overlap.shareOfA).toBe(1);
    expect((await t.call('POST', '/v1/audiences/compare', { key: marketer, body: { a: { segment: climbing } } })).status).toBe(400);
    expect(
      (await t.call('POST', '/v1/audiences/compare', { key: marketer, body: { a: { segment: climbing }, b: { segment: 'seg_nope' } } }))
        .status,
    ).toBe(404);
  });

  it('answers problems for unknown segments and bad input', async () => {
    expect((await t.call('GET', '/v1/segments/seg_nope/insight', { key: marketer })).status).toBe(404);
    const bad = await t.call('GET', `/v1/segments/${climbing}/insight?topics=0&minSupport=x`, { key: marketer });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).toEqual([
      'query.minSupport',
      'query.topics',
    ]);
    const notPlaced = await t.call('POST', '/v1/audiences/insight', {
      key: marketer,
      body: { audience: { where: { not: { segment: climbing } } } },
    });
    expect(notPlaced.status).toBe(400);
    expect(
      (await t.call('POST', '/v1/audiences/insight', { key: marketer, body: { audience: { segment: climbing, extra: 1 } } })).status,
    ).toBe(400);
    expect((await t.call('GET', `/v1/segments/${climbing}/insight`, { key: await t.keyFor('content') })).status).toBe(403);
  });

  it('follows changes to people without a new run: arrivals, changed interests, erasures', async () => {
    const before = await insightOf(climbing, { ...MIN_Q, topics: '100' });
    const newcomers = plantedPeople('ins-late', 99)
      .filter((p) => p.community === 0 && p.consent)
      .slice(0, 30);
    // Ten jazz fans take up climbing (three topics, heavily); ten climbers are erased.
    const took = topicsOf(0)
      .slice(5)
      .map((topic) => ({ topic, category: CATEGORIES[0]!, weight: 3 }));
    const converts = people
      .filter((p) => p.community === 1)
      .slice(0, 10)
      .map((p) => ({ ...p, interests: [...p.interests, ...took] }));
    const erased = people.filter((p) => p.community === 0).slice(0, 10);
    await importProfiles(t, t.adminKey, profiles([...newcomers, ...converts]));
    for (const p of erased) expect((await t.call('DELETE', `/v1/users/crm:${p.externalId}`, { key: t.adminKey })).status).toBe(204);
    people = [
      ...people.filter((p) => !erased.includes(p) && !converts.some((c) => c.externalId === p.externalId)),
      ...converts,
      ...newcomers,
    ];
    const got = await insightOf(climbing, { ...MIN_Q, topics: '100' });
    const want = expected(climbing);
    expect(got.runId).toBe(before.runId);
    expect(got.population).toBe(want.population);
    expect(got.population).toBe(before.population + 30 - 10);
    expect(got.size).toBe(want.size);
    expect(got.size).toBe(before.size + 30 + 10 - 10);
    expect(got.topics.map((x) => x.name).sort()).toEqual(want.topics.map((x) => x.name).sort());
    for (const row of got.topics) {
      const w = want.topics.find((x) => x.name === row.name)!;
      expect([row.members, row.holders, row.lift]).toEqual([w.members, w.holders, w.lift]);
    }
  });

  it('says how the segment changed since the previous run', async () => {
    const first = await insightOf(climbing);
    expect(first.change).toMatchObject({ status: 'first-run', previousRunId: null, userCountChange: null });
    expect(first.change!.userCount).toBe(first.segment!.userCount);
    await runSegmentation(t, marketer);
    segOf = await loadTopicSegments();
    const second = await insightOf(climbing);
    expect(second.runId).not.toBe(first.runId);
    expect(second.change).toMatchObject({ status: 'kept', previousRunId: first.runId });
    expect(second.change!.topicOverlap).toBeGreaterThan(0.8);
    // The run counts everyone with an interest in the segment, the people who changed since the first run included.
    expect(second.change!.userCountChange).toBe(second.segment!.userCount! - first.segment!.userCount!);
    expect(second.segment!.userCount).toBe(membersOf(climbing, 0).length);
  });
});
