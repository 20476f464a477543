import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { parsed, problem } from './support/parse.js';
import { AudiencePageSchema } from '../src/affinity/schemas.js';

type Member = z.output<typeof AudiencePageSchema>['items'][number];
import { parseCsvRows } from '../src/ingest/csv-rows.js';

/** The export read as a spreadsheet would (RFC 4180), with the import CLI's own reader. */
const parseCsv = (text: string) => parseCsvRows(text).map((r) => r.cells);

let db: OwnNeo4j;
let t: TestApp;
let marketer: string;
let ingest: string;
let content: string;
let segA: string;
const p = randomUUID().slice(0, 8);
const A = [1, 2, 3, 4].map((i) => `Climbing ${p} ${i}`);
const B = [1, 2, 3, 4].map((i) => `Knitting ${p} ${i}`);
const ids = {
  pureA: Array.from({ length: 7 }, (_, i) => `${p}-a${i}`),
  pureB: Array.from({ length: 5 }, (_, i) => `${p}-b${i}`),
  mixed: Array.from({ length: 4 }, (_, i) => `${p}-m${i}`),
};

beforeAll(async () => {
  // Own Neo4j: the planted groups are a handful of people each, and a run segments everyone in the database; on the
  // shared instance other files' people raise the support a topic needs and the groups merge.
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'process' });
  [marketer, ingest, content] = await Promise.all([t.keyFor('marketer'), t.keyFor('ingest'), t.keyFor('content')]);
  const recent = new Date(Date.now() - 5 * 86400_000).toISOString();
  const old = new Date(Date.now() - 90 * 86400_000).toISOString();
  await importProfiles(t, ingest, [
    ...ids.pureA.map((externalId, i) => ({
      externalId,
      interests: A.filter((_, k) => k !== i % 4).map((topic) => ({ topic, weight: 1 })),
      // Half the climbers bought recently, the others long ago.
      purchases: [{ sku: `SKU-${p}-${i}`, category: `Ropes ${p}`, amount: 50, at: i % 2 === 0 ? recent : old }],
    })),
    ...ids.pureB.map((externalId, i) => ({
      externalId,
      interests: B.filter((_, k) => k !== i % 4).map((topic) => ({ topic, weight: 1 })),
    })),
    // Mixed users: i+1 units in A, 3 in B, so their A affinity is 0.25, 0.4, 0.5, 0.57...
    ...ids.mixed.map((externalId, i) => ({
      externalId,
      interests: [
        { topic: A[0]!, weight: i + 1 },
        { topic: B[0]!, weight: 3 },
      ],
    })),
  ]);
  await runSegmentation(t, marketer);
  const a0 = await getJson<{ segments: Array<{ segmentId: string }> }>(t, content, `/v1/users/crm:${ids.pureA[0]}/affinities`);
  segA = a0.segments[0]!.segmentId;
});
afterAll(async () => {
  await t?.close();
  await db?.stop();
});

const audienceUrl = (q: Record<string, string> = {}) => `/v1/segments/${encodeURIComponent(segA)}/audience?${new URLSearchParams(q)}`;

async function allPages(q: Record<string, string>): Promise<Member[]> {
  const out: Member[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await getJson(t, marketer, audienceUrl({ ...q, ...(cursor ? { cursor } : {}) }), AudiencePageSchema);
    out.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return out;
}

const mine = (members: Member[]) => members.filter((m) => m.user.includes(p));

describe('audiences', () => {
  it('lists everyone with affinity to the segment, by affinity descending, addressed by their crm identity', async () => {
    const members = mine(await allPages({ limit: '1000' }));
    expect(members.map((m) => m.user).sort()).toEqual([...ids.pureA, ...ids.mixed].map((id) => `crm:${id}`).sort());
    for (let i = 1; i < members.length; i++) expect(members[i - 1]!.affinity).toBeGreaterThanOrEqual(members[i]!.affinity);
    const m0 = members.find((m) => m.user === `crm:${ids.mixed[0]}`)!;
    expect(m0.affinity).toBeCloseTo(0.25, 5);
    const pure = members.find((m) => m.user === `crm:${ids.pureA[0]}`)!;
    expect(pure.affinity).toBe(1);
    expect(m0.lift).toBeCloseTo(pure.lift * 0.25, 2);
  });

  it('filters by minAffinity and minLift', async () => {
    const strong = mine(await allPages({ minAffinity: '0.45', limit: '1000' }));
    expect(strong.map((m) => m.user).sort()).toEqual([...ids.pureA, ids.mixed[2]!, ids.mixed[3]!].map((id) => `crm:${id}`).sort());
    const all = mine(await allPages({ limit: '1000' }));
    const liftCut = all.find((m) => m.user === `crm:${ids.mixed[1]}`)!.lift;
    const lifted = mine(await allPages({ minLift: String(liftCut), limit: '1000' }));
    expect(lifted.every((m) => m.lift >= liftCut)).toBe(true);
    expect(lifted.map((m) => m.user)).not.toContain(`crm:${ids.mixed[0]}`);
    expect(lifted.map((m) => m.user)).toContain(`crm:${ids.mixed[1]}`);
  });

  it('pages with cursors without losing or repeating anyone', async () => {
    const whole = await allPages({ limit: '1000' });
    const paged = await allPages({ limit: '3' });
    expect(paged).toEqual(whole);
    const first = await getJson(t, marketer, audienceUrl({ limit: '3' }), AudiencePageSchema);
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toBeTruthy();
    // Extension: the first page counts the whole audience (at the same thresholds); later pages do not repeat it.
    expect(first.total).toBe(whole.length);
    const second = await getJson<{ total?: number }>(t, marketer, audienceUrl({ limit: '3', cursor: first.nextCursor! }));
    expect(second.total).toBeUndefined();
    const strong = await allPages({ minAffinity: '0.45', limit: '1000' });
    const strongFirst = await getJson<{ total?: number }>(t, marketer, audienceUrl({ minAffinity: '0.45', limit: '1' }));
    expect(strongFirst.total).toBe(strong.length);
    expect(strong.length).toBeLessThan(whole.length);
  });

  it('streams the whole audience as CSV with Accept: text/csv', async () => {
    const res = await t.call('GET', audienceUrl({ minAffinity: '0.3' }), { key: marketer, headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(['user', 'affinity', 'lift']);
    const json = await allPages({ minAffinity: '0.3', limit: '1000' });
    expect(rows.map((r) => r[0])).toEqual(json.map((m) => m.user));
    expect(rows.map((r) => Number(r[1]))).toEqual(json.map((m) => m.affinity));
    expect(rows.filter((r) => r[0]!.includes(p))).toHaveLength(ids.pureA.length + 3);
  });

  it('drops people who withdraw consent', async () => {
    const who = ids.pureA[6]!;
    await importProfiles(t, ingest, [{ externalId: who, consent: { segmentation: false } }]);
    const members = mine(await allPages({ limit: '1000' })).map((m) => m.user);
    expect(members).not.toContain(`crm:${who}`);
    const aff = await getJson<{ segments: unknown[] }>(t, content, `/v1/users/crm:${who}/affinities`);
    expect(aff.segments).toEqual([]);
    // Consent given again: back in the audience without waiting for a run.
    await importProfiles(t, ingest, [{ externalId: who, consent: { segmentation: true } }]);
    expect(mine(await allPages({ limit: '1000' })).map((m) => m.user)).toContain(`crm:${who}`);
  });

  it('combines segment affinity with purchase rules', async () => {
    const res = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: {
        where: { all: [{ segment: segA, minAffinity: 0.3 }, { purchased: { withinDays: 30, topic: `Ropes ${p}` } }] },
        limit: 1000,
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await parsed(res, AudiencePageSchema);
    expect(
      mine(body.items)
        .map((m) => m.user)
        .sort(),
    ).toEqual(
      ids.pureA
        .filter((_, i) => i % 2 === 0)
        .map((id) => `crm:${id}`)
        .sort(),
    );
    expect(body.items.every((m) => m.affinity >= 0.3)).toBe(true);

    const either = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: { where: { any: [{ segment: segA, minAffinity: 0.55 }, { purchased: { withinDays: 30, topic: `Ropes ${p}` } }] }, limit: 1000 },
    });
    const eitherUsers = mine((await parsed(either, AudiencePageSchema)).items).map((m) => m.user);
    expect(eitherUsers.sort()).toEqual([...ids.pureA, ids.mixed[3]!].map((id) => `crm:${id}`).sort());

    const notBought = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: { where: { all: [{ segment: segA, minAffinity: 0.9 }, { not: { purchased: { withinDays: 30 } } }] }, limit: 1000 },
    });
    expect(
      mine((await parsed(notBought, AudiencePageSchema)).items)
        .map((m) => m.user)
        .sort(),
    ).toEqual(
      ids.pureA
        .filter((_, i) => i % 2 === 1)
        .map((id) => `crm:${id}`)
        .sort(),
    );
  });

  it('validates rules and refuses a top-level negation', async () => {
    const bad = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { segment: '' } } });
    expect(bad.status).toBe(400);
    const neg = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { not: { segment: segA } } } });
    expect(neg.status).toBe(400);
  });

  it('answers 404 for an unknown segment and 400 for a forged cursor', async () => {
    expect((await t.call('GET', '/v1/segments/no-such-segment/audience', { key: marketer })).status).toBe(404);
    expect((await t.call('GET', audienceUrl({ cursor: 'bm90LWEtY3Vyc29y' }), { key: marketer })).status).toBe(400);
    expect((await t.call('GET', audienceUrl({ minAffinity: '2' }), { key: marketer })).status).toBe(400);
  });

  it('lets only marketer and admin keys build or export audiences', async () => {
    expect((await t.call('GET', audienceUrl(), { key: t.adminKey })).status).toBe(200);
    expect((await t.call('GET', audienceUrl(), { key: content })).status).toBe(403);
    expect((await t.call('GET', audienceUrl(), { key: content, headers: { accept: 'text/csv' } })).status).toBe(403);
    expect((await t.call('GET', audienceUrl(), { key: ingest })).status).toBe(403);
    expect((await t.call('GET', audienceUrl())).status).toBe(401);
    expect((await t.call('POST', '/v1/audiences/query', { key: content, body: { where: { segment: segA } } })).status).toBe(403);
  });
});

/** A query body whose rule nests `depth` rules deep, as JSON text (JSON.stringify itself overflows on deep values). */
function nestedRuleBody(depth: number): string {
  return `{"where":${'{"all":['.repeat(depth - 1)}${JSON.stringify({ segment: segA })}${']}'.repeat(depth - 1)}}`;
}

const postRaw = (raw: string) =>
  t.call('POST', '/v1/audiences/query', { key: marketer, raw, headers: { 'content-type': 'application/json' } });

describe('audience rules stay bounded', () => {
  it('refuses a deeply nested rule with a 400 naming the path, never a 500', async () => {
    for (const depth of [7, 1000, 20_000]) {
      const res = await postRaw(nestedRuleBody(depth));
      expect(res.status, `depth ${depth}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      const refused = await problem(res);
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors![0]!.path).toBe(`body.where${'.all.0'.repeat(6)}`);
      expect(refused.errors![0]!.message).toMatch(/at most 6 deep/);
    }
    const ok = await postRaw(nestedRuleBody(6));
    expect(ok.status, await ok.clone().text()).toBe(200);
  });

  it('refuses a rule with more than 50 conditions, however they are spread', async () => {
    const wide = { all: Array.from({ length: 20 }, () => ({ any: Array.from({ length: 20 }, () => ({ segment: segA })) })) };
    const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: wide } });
    expect(res.status).toBe(400);
    const refused = await problem(res);
    expect(refused.errors).toEqual([{ path: 'body.where', message: expect.stringMatching(/at most 50 conditions/) }]);
    const fifty = { any: Array.from({ length: 10 }, () => ({ any: Array.from({ length: 5 }, () => ({ segment: segA })) })) };
    expect((await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: fifty } })).status).toBe(200);
  });
});

describe('CSV export', () => {
  it('quotes addresses with commas and quotes so every row has three fields', async () => {
    const odd = `${p}-q,"x"`;
    await importProfiles(t, ingest, [{ externalId: odd, interests: A.map((topic) => ({ topic, weight: 1 })) }]);
    const res = await t.call('GET', audienceUrl(), { key: marketer, headers: { accept: 'text/csv' } });
    const text = await res.text();
    expect(text).toContain(`"crm:${p}-q,""x"""`);
    const rows = parseCsv(text);
    expect(rows.every((r) => r.length === 3)).toBe(true);
    const row = rows.find((r) => r[0] === `crm:${odd}`);
    expect(row).toBeDefined();
    expect(Number(row![1])).toBe(1);
  });
});

describe('cursors and runs', () => {
  it('always sends startedAt: null while a run is queued', async () => {
    const id = `queued-${p}`;
    await t.db.write('test/create-queued-run', { id });
    try {
      const run = await getJson<Record<string, unknown>>(t, marketer, `/v1/segmentation/runs/${id}`);
      expect(run).toMatchObject({ id, status: 'queued', startedAt: null });
    } finally {
      await t.db.write('test/delete-run', { id });
    }
  });

  // Last in the file: it starts a new run.
  it('pins cursors to their run: 409 cursor-stale after a newer run; the run list pages by keyset', async () => {
    // An old queued run guarantees a second page of runs, whatever else the database holds.
    const oldRun = `queued-${p}-old`;
    await t.db.write('test/create-queued-run', { id: oldRun });
    try {
      const segments = await getJson<{ runId: string; nextCursor?: string }>(t, marketer, '/v1/segments?limit=1');
      const topics = await getJson<{ nextCursor?: string }>(t, marketer, `/v1/segments/${encodeURIComponent(segA)}/topics?limit=1`);
      const audience = await getJson(t, marketer, audienceUrl({ limit: '2' }), AudiencePageSchema);
      const ruleBody = { where: { segment: segA }, limit: 2 };
      const rule = await parsed(await t.call('POST', '/v1/audiences/query', { key: marketer, body: ruleBody }), AudiencePageSchema);
      const runsPage1 = await getJson<{ items: Array<{ id: string }>; nextCursor?: string }>(t, marketer, '/v1/segmentation/runs?limit=1');
      for (const c of [segments.nextCursor, topics.nextCursor, audience.nextCursor, rule.nextCursor, runsPage1.nextCursor])
        expect(c).toBeTruthy();
      // Before any new run the cursors work.
      expect((await t.call('GET', `/v1/segments?limit=1&cursor=${segments.nextCursor}`, { key: marketer })).status).toBe(200);
      expect((await t.call('GET', audienceUrl({ limit: '2', cursor: audience.nextCursor! }), { key: marketer })).status).toBe(200);

      const newRun = await runSegmentation(t, marketer);

      const stale = [
        await t.call('GET', `/v1/segments?limit=1&cursor=${segments.nextCursor}`, { key: marketer }),
        await t.call('GET', `/v1/segments/${encodeURIComponent(segA)}/topics?limit=1&cursor=${topics.nextCursor}`, { key: marketer }),
        await t.call('GET', audienceUrl({ limit: '2', cursor: audience.nextCursor! }), { key: marketer }),
        await t.call('POST', '/v1/audiences/query', { key: marketer, body: { ...ruleBody, cursor: rule.nextCursor } }),
      ];
      for (const res of stale) {
        expect(res.status, res.url).toBe(409);
        expect(res.headers.get('content-type')).toMatch(/problem\+json/);
        expect((await problem(res)).type).toMatch(/cursor-stale$/);
      }

      // The run list goes on where it was: the new run does not push page 1's run onto page 2.
      const runsPage2 = await getJson<{ items: Array<{ id: string }> }>(
        t,
        marketer,
        `/v1/segmentation/runs?limit=1&cursor=${runsPage1.nextCursor}`,
      );
      expect(runsPage2.items).toHaveLength(1);
      expect([runsPage1.items[0]!.id, newRun.id]).not.toContain(runsPage2.items[0]!.id);
      const fresh = await getJson<{ items: Array<{ id: string; startedAt: unknown }> }>(t, marketer, '/v1/segmentation/runs?limit=2');
      expect(fresh.items.map((r) => r.id)).toEqual([newRun.id, runsPage1.items[0]!.id]);
      for (const r of fresh.items) expect(typeof r.startedAt).toBe('string');
    } finally {
      await t.db.write('test/delete-run', { id: oldRun });
    }
  });
});
