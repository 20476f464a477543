import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';

// Insight, comparisons and reports follow sensitive topics and marketing consent (issue 11): they never list or name a
// sensitive topic or category, refuse rules naming one (400 sensitive-topic), and count nobody without marketing consent.
interface Insight {
  segment: { id: string; label: string } | null;
  size: number;
  label: string;
  topics: Array<{ id: string; name: string }>;
  categories: Array<{ name: string }>;
  topPeople: Array<{ user: string }>;
}
interface Comparison {
  a: { label: string; size: number };
  b: { label: string; size: number };
  topicsA: Array<{ id: string; name: string }>;
  topicsB: Array<{ id: string; name: string }>;
}

const p = randomUUID().slice(0, 8);
const SURF = [1, 2, 3, 4].map((i) => `Surfing ${p} ${i}`);
const CHESS = [1, 2, 3, 4].map((i) => `Chess ${p} ${i}`);
const DIABETES = `Diabetes ${p}`;
const HEALTH = `Health ${p}`;
const crm = (id: string) => `crm:${p}-${id}`;
const SURFERS = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => crm(`s${i}`));

let t: TestApp;
let marketer: string;
let surfSeg: string;
let chessSeg: string;

const segmentInsight = (id: string) => getJson<Insight>(t, marketer, `/v1/segments/${encodeURIComponent(id)}/insight?people=100&topics=50`);

async function post<T>(path: string, body: unknown, status = 200): Promise<T> {
  const res = await t.call('POST', path, { key: marketer, body });
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

async function sharedReport(audience: unknown): Promise<{ title: string; insight: Insight; csv: string }> {
  const link = await post<{ token: string }>('/v1/reports/share-links', { audience }, 201);
  const doc = await getJson<{ title: string; insight: Insight }>(t, link.token, '/v1/reports/shared');
  const csv = await t.call('POST', '/v1/reports/export', { key: marketer, body: { audience, format: 'csv' } });
  expect(csv.status).toBe(200);
  return { ...doc, csv: await csv.text() };
}

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  marketer = await t.keyFor('marketer');
  const ingest = await t.keyFor('ingest');
  const topic = (name: string, category?: string) => ({ topic: name, ...(category ? { category } : {}) });
  await importProfiles(t, ingest, [
    ...SURFERS.map((_, i) => ({
      externalId: `${p}-s${i}`,
      interests: [...SURF.filter((_, k) => k !== i % 4).map((n) => topic(n, 'Sport')), topic(DIABETES, HEALTH)],
    })),
    // The keenest surfer of all, without marketing consent: in no audience, count or list of people.
    {
      externalId: `${p}-nomkt`,
      interests: [...SURF.map((n) => ({ ...topic(n, 'Sport'), weight: 5 })), topic(DIABETES, HEALTH)],
      consent: { segmentation: true, personalization: true, marketing: false },
    },
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      externalId: `${p}-c${i}`,
      interests: CHESS.filter((_, k) => k !== i % 4).map((n) => topic(n, 'Games')),
    })),
  ]);
  const cat = await t.call('PUT', `/v1/sensitive-topics/categories/${encodeURIComponent(HEALTH)}`, { key: t.adminKey });
  expect(cat.status, await cat.clone().text()).toBe(200);
  await runSegmentation(t, marketer);
  const seg = async (who: string) =>
    (await getJson<{ segments: Array<{ segmentId: string }> }>(t, marketer, `/v1/users/${encodeURIComponent(who)}/affinities`)).segments[0]!
      .segmentId;
  surfSeg = await seg(SURFERS[0]!);
  chessSeg = await seg(crm('c0'));
});

afterAll(async () => {
  // The shared database's marks are every file's: leave none behind.
  await t?.call('DELETE', `/v1/sensitive-topics/categories/${encodeURIComponent(HEALTH)}`, { key: t.adminKey });
  await t?.close();
});

describe('insight, comparisons and reports', () => {
  it('count nobody without marketing consent: not a member, not a top person, in no rule audience', async () => {
    const insight = await segmentInsight(surfSeg);
    expect(insight.topPeople.map((x) => x.user).sort()).toEqual([...SURFERS].sort());
    expect(insight.size).toBe(SURFERS.length);
    const byRule = await post<Insight>('/v1/audiences/insight', { audience: { where: { segment: surfSeg } }, people: 100 });
    expect(byRule.topPeople.map((x) => x.user).sort()).toEqual([...SURFERS].sort());
    expect(byRule.size).toBe(SURFERS.length);
    const cmp = await post<Comparison>('/v1/audiences/compare', { a: { segment: surfSeg }, b: { where: { segment: surfSeg } } });
    expect([cmp.a.size, cmp.b.size]).toEqual([SURFERS.length, SURFERS.length]);
    const report = await sharedReport({ segment: surfSeg });
    expect(JSON.stringify(report.insight)).not.toContain(crm('nomkt'));
  });

  it('never list a sensitive topic or category', async () => {
    const insight = await segmentInsight(surfSeg);
    expect(insight.topics.length).toBeGreaterThan(0);
    const cmp = await post<Comparison>('/v1/audiences/compare', { a: { segment: surfSeg }, b: { segment: chessSeg } });
    const report = await sharedReport({ segment: surfSeg });
    for (const text of [JSON.stringify(insight), JSON.stringify(cmp), JSON.stringify(report), report.csv]) {
      expect(text).not.toContain(DIABETES);
      expect(text).not.toContain(topicId(DIABETES));
      expect(text).not.toContain(HEALTH);
    }
  });

  it('refuse rules naming a sensitive topic or category with 400 sensitive-topic and the path', async () => {
    const sensitive = { interest: { topic: DIABETES } };
    const byCategory = { purchased: { topic: HEALTH } };
    for (const [path, body, at] of [
      ['/v1/audiences/insight', { audience: { where: sensitive } }, 'body.audience.where.interest.topic'],
      [
        '/v1/audiences/insight',
        { audience: { where: { all: [{ segment: surfSeg }, { not: byCategory }] } } },
        'body.audience.where.all.1.not.purchased.topic',
      ],
      ['/v1/audiences/compare', { a: { segment: surfSeg }, b: { where: sensitive } }, 'body.b.where.interest.topic'],
      ['/v1/reports/export', { audience: { where: sensitive }, format: 'csv' }, 'body.audience.where.interest.topic'],
      [
        '/v1/reports/share-links',
        { audience: { where: { any: [{ segment: surfSeg }, sensitive] } } },
        'body.audience.where.any.1.interest.topic',
      ],
    ] as const) {
      const problem = await post<{ type: string; errors: Array<{ path: string }> }>(path, body, 400);
      expect(problem.type, path).toMatch(/sensitive-topic$/);
      expect(problem.errors.map((e) => e.path)).toEqual([at]);
    }
  });

  it('take a mark made after the run at once: no label, list, comparison or report names the topic', async () => {
    const before = await segmentInsight(surfSeg);
    // The topic the segment's label names first (its label is made of its top topics).
    const named = SURF.find((n) => before.segment!.label.includes(n))!;
    expect(named).toBeDefined();
    expect(before.topics.map((x) => x.name)).toContain(named);
    const res = await t.call('PUT', `/v1/sensitive-topics/topics/${topicId(named)}`, { key: t.adminKey });
    expect(res.status).toBe(200);

    const insight = await segmentInsight(surfSeg);
    expect(insight.segment!.label).not.toContain(named);
    expect(insight.segment!.label.length).toBeGreaterThan(0);
    const byRule = await post<Insight>('/v1/audiences/insight', { audience: { where: { segment: surfSeg } } });
    const cmp = await post<Comparison>('/v1/audiences/compare', { a: { segment: surfSeg }, b: { segment: chessSeg } });
    expect(cmp.a.label).toBe(insight.segment!.label);
    const report = await sharedReport({ segment: surfSeg });
    expect(report.title).toBe(insight.segment!.label);
    for (const text of [JSON.stringify(insight), JSON.stringify(byRule), JSON.stringify(cmp), JSON.stringify(report), report.csv]) {
      expect(text).not.toContain(named);
      expect(text).not.toContain(topicId(named));
    }
    const refused = await post<{ type: string }>('/v1/audiences/insight', { audience: { where: { interest: { topic: named } } } }, 400);
    expect(refused.type).toMatch(/sensitive-topic$/);
    expect((await t.call('DELETE', `/v1/sensitive-topics/topics/${topicId(named)}`, { key: t.adminKey })).status).toBe(204);
  });
});
