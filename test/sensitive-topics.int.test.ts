import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvRows } from '../src/ingest/csv-rows.js';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { Browser, startFakeFacebook, type FakeFacebook } from './support/fake-facebook.js';

interface Affinities {
  segments: Array<{ segmentId: string; affinity: number; topics: string[] }>;
  suggestedTopics: Array<{ id: string; name: string }>;
}
interface Segment {
  id: string;
  topTopics: Array<{ id: string; name: string }>;
}

const p = randomUUID().slice(0, 8);
const SURF = [1, 2, 3, 4].map((i) => `Surf ${p} ${i}`);
const CHESS = [1, 2, 3, 4].map((i) => `Chess ${p} ${i}`);
// Sensitive by category (spelled two ways: one category), by their own mark, and created after the category's mark.
const DIABETES = `Diabetes ${p}`;
const INSULIN = `Insulin ${p}`;
const PRAYER = `Prayer ${p}`;
const GLUCOSE = `Glucose ${p}`;
const SENSITIVE = [DIABETES, INSULIN, PRAYER, GLUCOSE];
const SENSITIVE_IDS = SENSITIVE.map(topicId);

let t: TestApp;
let fb: FakeFacebook;
let marketer: string;
let content: string;
let ingest: string;

const parseCsv = (text: string) => parseCsvRows(text).map((r) => r.cells);

async function allSegments(level: 'coarse' | 'fine'): Promise<Segment[]> {
  return (await getJson<{ items: Segment[] }>(t, marketer, `/v1/segments?level=${level}&limit=1000`)).items;
}

async function segmentTopicIds(segmentId: string): Promise<string[]> {
  const page = await getJson<{ items: Array<{ id: string }> }>(
    t,
    marketer,
    `/v1/segments/${encodeURIComponent(segmentId)}/topics?limit=1000`,
  );
  return page.items.map((i) => i.id);
}

async function affinities(address: string): Promise<Affinities> {
  return getJson<Affinities>(t, content, `/v1/users/${address}/affinities`);
}

/** Every id and name the service shows anywhere about segments, affinities and audiences, as one text. */
async function everythingShown(): Promise<string> {
  const parts: unknown[] = [];
  for (const level of ['coarse', 'fine'] as const) {
    for (const s of await allSegments(level)) {
      parts.push(s, await segmentTopicIds(s.id), await getJson(t, marketer, `/v1/segments/${encodeURIComponent(s.id)}`));
    }
  }
  parts.push(await getJson(t, marketer, '/v1/segments/graph'));
  parts.push(await getJson(t, marketer, `/v1/topics?q=${encodeURIComponent(p)}&limit=1000`));
  const batch = await t.call('POST', '/v1/affinities/batch', {
    key: content,
    body: { users: [...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [`crm:${p}-s${i}`, `crm:${p}-c${i}`]), `crm:${p}-late`, `crm:${p}-only`] },
  });
  parts.push(await batch.json());
  return JSON.stringify(parts);
}

beforeAll(async () => {
  fb = await startFakeFacebook();
  t = await startTestApp(fb.env(), { worker: 'process' });
  [marketer, content, ingest] = await Promise.all([t.keyFor('marketer'), t.keyFor('content'), t.keyFor('ingest')]);
  const topic = (name: string, category?: string) => ({ topic: name, ...(category ? { category } : {}) });
  await importProfiles(t, ingest, [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      externalId: `${p}-s${i}`,
      interests: [
        ...SURF.filter((_, k) => k !== i % 4).map((n) => topic(n, 'Sport')),
        topic(DIABETES, `Health ${p}`),
        topic(PRAYER, `Faith ${p}`),
      ],
      purchases: i === 0 ? [{ sku: `SKU-D-${p}`, category: DIABETES }] : i === 1 ? [{ sku: `SKU-S-${p}`, category: SURF[0] }] : [],
    })),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
      externalId: `${p}-c${i}`,
      interests: [...CHESS.filter((_, k) => k !== i % 4).map((n) => topic(n, 'Games')), topic(DIABETES), topic(INSULIN, ` HEALTH  ${p}`)],
    })),
    { externalId: `${p}-only`, interests: [topic(DIABETES), topic(INSULIN)] },
  ]);
  // Marked before the run: a category (in another spelling than the topics carry) and a topic by its name.
  const cat = await t.call('PUT', `/v1/sensitive-topics/categories/${encodeURIComponent(`health ${p}`)}`, { key: t.adminKey });
  expect(cat.status, await cat.clone().text()).toBe(200);
  expect(((await cat.json()) as { topics: number }).topics).toBe(2);
  expect((await t.call('PUT', `/v1/sensitive-topics/topics/${encodeURIComponent(PRAYER)}`, { key: t.adminKey })).status).toBe(200);
  // A topic filed under the marked category after the mark is sensitive from its creation.
  await importProfiles(t, ingest, [
    { externalId: `${p}-late`, interests: [...SURF.slice(0, 3).map((n) => topic(n, 'Sport')), topic(GLUCOSE, `Health ${p}`)] },
  ]);
  await runSegmentation(t, marketer);
});

afterAll(async () => {
  await t?.close();
  await fb?.close();
});

describe('sensitive topics', () => {
  it('lists the marks for admins only, and answers 404 for what is not there', async () => {
    const list = await getJson<{ items: Array<{ kind: string; name: string; id: string | null }> }>(
      t,
      t.adminKey,
      '/v1/sensitive-topics?limit=1000',
    );
    expect(list.items).toContainEqual(expect.objectContaining({ kind: 'category', name: `health ${p}`, id: null }));
    expect(list.items).toContainEqual(expect.objectContaining({ kind: 'topic', name: PRAYER, id: topicId(PRAYER) }));
    // Marketers may see what is kept out; only admins change it.
    expect((await t.call('GET', '/v1/sensitive-topics', { key: marketer })).status).toBe(200);
    expect((await t.call('GET', '/v1/sensitive-topics', { key: content })).status).toBe(403);
    expect((await t.call('PUT', `/v1/sensitive-topics/topics/${topicId(SURF[0]!)}`, { key: marketer })).status).toBe(403);
    expect((await t.call('PUT', `/v1/sensitive-topics/topics/no-such-topic-${p}`, { key: t.adminKey })).status).toBe(404);
    expect((await t.call('DELETE', `/v1/sensitive-topics/topics/${topicId(SURF[0]!)}`, { key: t.adminKey })).status).toBe(404);
    expect((await t.call('DELETE', `/v1/sensitive-topics/categories/never-marked-${p}`, { key: t.adminKey })).status).toBe(404);
    expect((await t.call('PUT', '/v1/sensitive-topics/categories/%E2%80%8B', { key: t.adminKey })).status).toBe(400);
  });

  it('keeps sensitive topics out of every segment, topic list, graph, search, affinity and suggestion', async () => {
    const coarse = await allSegments('coarse');
    expect(coarse.length).toBeGreaterThan(0);
    const shown = await everythingShown();
    for (const [i, name] of SENSITIVE.entries()) {
      expect(shown, name).not.toContain(name);
      expect(shown, name).not.toContain(SENSITIVE_IDS[i]);
    }
    // The rest of their interests are segmented as usual: surfers have one segment, all of their weight in it.
    const surfer = await affinities(`crm:${p}-s1`);
    expect(surfer.segments).toHaveLength(1);
    expect(surfer.segments[0]!.affinity).toBe(1);
    expect(surfer.segments[0]!.topics.sort()).toEqual(SURF.filter((_, k) => k !== 1).sort());
    // Someone whose only interests are sensitive has no segment of one at all.
    expect((await affinities(`crm:${p}-only`)).segments).toEqual([]);
    for (const id of SENSITIVE_IDS) {
      const res = await t.call('GET', `/v1/topics/${id}`, { key: marketer });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { type: string }).type).toMatch(/sensitive-topic$/);
    }
  });

  it('refuses audience rules that name a sensitive topic or category (400 sensitive-topic), and counts no sensitive purchase', async () => {
    const seg = (await affinities(`crm:${p}-s1`)).segments[0]!.segmentId;
    for (const [where, path] of [
      [{ interest: { topic: DIABETES } }, 'body.where.interest.topic'],
      [{ all: [{ segment: seg }, { not: { interest: { topic: GLUCOSE.toUpperCase() } } }] }, 'body.where.all.1.not.interest.topic'],
      [{ any: [{ segment: seg }, { purchased: { topic: DIABETES } }] }, 'body.where.any.1.purchased.topic'],
      [{ purchased: { topic: `Health ${p}` } }, 'body.where.purchased.topic'],
      [{ interest: { topic: PRAYER } }, 'body.where.interest.topic'],
    ] as const) {
      const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where } });
      expect(res.status, JSON.stringify(where)).toBe(400);
      const problem = (await res.json()) as { type: string; errors: Array<{ path: string }> };
      expect(problem.type).toMatch(/sensitive-topic$/);
      expect(problem.errors.map((e) => e.path)).toEqual([path]);
    }
    // Saved audiences refuse them the same way.
    const saved = await t.call('POST', '/v1/audiences', {
      key: marketer,
      body: { name: `sensitive ${p}`, where: { any: [{ segment: seg }, { interest: { topic: DIABETES } }] } },
    });
    expect(saved.status).toBe(400);
    expect(((await saved.json()) as { type: string; errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual([
      'body.where.any.1.interest.topic',
    ]);
    // A SKU alone names no topic, but the purchase is filed under a sensitive one: it selects nobody.
    const bySku = async (sku: string) => {
      const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { purchased: { sku } } } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Array<{ user: string }> }).items.map((i) => i.user);
    };
    expect(await bySku(`SKU-D-${p}`)).toEqual([]);
    expect(await bySku(`SKU-S-${p}`)).toEqual([`crm:${p}-s1`]);
  });

  it('exports CSV audiences whose affinities ignore sensitive interests', async () => {
    const seg = (await affinities(`crm:${p}-s1`)).segments[0]!.segmentId;
    const res = await t.call('GET', `/v1/segments/${encodeURIComponent(seg)}/audience`, { key: marketer, headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const [i, name] of SENSITIVE.entries()) {
      expect(text).not.toContain(name);
      expect(text).not.toContain(SENSITIVE_IDS[i]);
    }
    const rows = parseCsv(text);
    // Each surfer's whole (non-sensitive) weight is in the surf segment; the one with only sensitive interests is absent.
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7]) expect(Number(rows.find((r) => r[0] === `crm:${p}-s${i}`)?.[1])).toBe(1);
    expect(rows.some((r) => r[0] === `crm:${p}-only`)).toBe(false);
    const rule = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: { where: { segment: seg } },
      headers: { accept: 'text/csv' },
    });
    expect(rule.status).toBe(200);
    const ruleText = await rule.text();
    for (const name of SENSITIVE) expect(ruleText).not.toContain(name);
  });

  it('shows the person their sensitive interests, flagged, and keeps them out of their segment of one', async () => {
    const fan = {
      id: `fb-${p}`,
      name: 'Fan',
      likes: [
        { id: `pg-${p}-1`, name: SURF[0]!, category: 'Sport' },
        { id: `pg-${p}-2`, name: SURF[1]!, category: 'Sport' },
        { id: `pg-${p}-3`, name: DIABETES, category: `Health ${p}` },
      ],
    };
    fb.setPerson(fan);
    const b = new Browser(t.baseUrl);
    expect((await b.login()).callback.status).toBe(302);
    const interests = (await (await b.fetch('/v1/me/interests')).json()) as { items: Array<{ name: string; sensitive: boolean }> };
    expect(interests.items.map((i) => [i.name, i.sensitive]).sort()).toEqual(
      [
        [SURF[0], false],
        [SURF[1], false],
        [DIABETES, true],
      ].sort(),
    );
    const mine = (await (await b.fetch('/v1/me/affinities')).json()) as Affinities;
    expect(mine.segments).toHaveLength(1);
    expect(mine.segments[0]!.topics.sort()).toEqual([SURF[0], SURF[1]].sort());
    expect(JSON.stringify(mine)).not.toContain(DIABETES);
  });

  it("takes a mark made after a run at once: out of that run's segments, affinities and suggestions; unmarking lets it back", async () => {
    const chess0 = topicId(CHESS[0]!);
    const before = await affinities(`crm:${p}-c0`); // c0 lacks CHESS[0]: it was suggested to them
    expect(before.suggestedTopics.map((s) => s.id)).toContain(chess0);
    const seg = (await affinities(`crm:${p}-c1`)).segments[0]!.segmentId;
    expect(await segmentTopicIds(seg)).toContain(chess0);

    const res = await t.call('PUT', `/v1/sensitive-topics/topics/${chess0}`, { key: t.adminKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ kind: 'topic', id: chess0, name: CHESS[0], category: 'Games' });
    const c1 = await affinities(`crm:${p}-c1`);
    expect(c1.segments[0]!.topics).not.toContain(CHESS[0]);
    expect((await affinities(`crm:${p}-c0`)).suggestedTopics.map((s) => s.id)).not.toContain(chess0);
    expect(await segmentTopicIds(seg)).not.toContain(chess0);
    const shown = await everythingShown();
    expect(shown).not.toContain(chess0);
    expect(shown).not.toContain(CHESS[0]);
    const rule = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { interest: { topic: CHESS[0] } } } });
    expect(rule.status).toBe(400);

    expect((await t.call('DELETE', `/v1/sensitive-topics/topics/${chess0}`, { key: t.adminKey })).status).toBe(204);
    const found = await getJson<{ items: Array<{ id: string }> }>(t, marketer, `/v1/topics?q=${encodeURIComponent(CHESS[0]!)}`);
    expect(found.items.map((i) => i.id)).toContain(chess0);
    const rule2 = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { interest: { topic: CHESS[0] } } } });
    expect(rule2.status).toBe(200);
    // Back among the person's interests at once; in a segment again from the next run.
    expect((await t.call('DELETE', `/v1/sensitive-topics/topics/${chess0}`, { key: t.adminKey })).status).toBe(404);
  });

  it('unmarks a category: its topics are no longer refused', async () => {
    expect(
      (await t.call('DELETE', `/v1/sensitive-topics/categories/${encodeURIComponent(`Health ${p}`)}`, { key: t.adminKey })).status,
    ).toBe(204);
    const rule = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { interest: { topic: INSULIN } } } });
    expect(rule.status).toBe(200);
    expect(((await rule.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    // Prayer is marked on its own: still refused.
    expect((await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { interest: { topic: PRAYER } } } })).status).toBe(
      400,
    );
  });
});
