import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';

interface Member {
  user: string;
  affinity: number;
  lift: number;
}

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
  t = await startTestApp();
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
    ...ids.pureB.map((externalId, i) => ({ externalId, interests: B.filter((_, k) => k !== i % 4).map((topic) => ({ topic, weight: 1 })) })),
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
});

const audienceUrl = (q: Record<string, string> = {}) => `/v1/segments/${encodeURIComponent(segA)}/audience?${new URLSearchParams(q)}`;

async function allPages(q: Record<string, string>): Promise<Member[]> {
  const out: Member[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await getJson<{ items: Member[]; nextCursor?: string }>(t, marketer, audienceUrl({ ...q, ...(cursor ? { cursor } : {}) }));
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
    expect(strong.map((m) => m.user).sort()).toEqual(
      [...ids.pureA, ids.mixed[2]!, ids.mixed[3]!].map((id) => `crm:${id}`).sort(),
    );
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
    const first = await getJson<{ items: Member[]; nextCursor?: string; total?: number }>(t, marketer, audienceUrl({ limit: '3' }));
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
    const lines = (await res.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('user,affinity,lift');
    const rows = lines.slice(1).map((l) => l.split(','));
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
    const body = (await res.json()) as { items: Member[] };
    expect(mine(body.items).map((m) => m.user).sort()).toEqual(
      ids.pureA.filter((_, i) => i % 2 === 0).map((id) => `crm:${id}`).sort(),
    );
    expect(body.items.every((m) => m.affinity >= 0.3)).toBe(true);

    const either = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: { where: { any: [{ segment: segA, minAffinity: 0.55 }, { purchased: { withinDays: 30, topic: `Ropes ${p}` } }] }, limit: 1000 },
    });
    const eitherUsers = mine(((await either.json()) as { items: Member[] }).items).map((m) => m.user);
    expect(eitherUsers.sort()).toEqual([...ids.pureA, ids.mixed[3]!].map((id) => `crm:${id}`).sort());

    const notBought = await t.call('POST', '/v1/audiences/query', {
      key: marketer,
      body: { where: { all: [{ segment: segA, minAffinity: 0.9 }, { not: { purchased: { withinDays: 30 } } }] }, limit: 1000 },
    });
    expect(mine(((await notBought.json()) as { items: Member[] }).items).map((m) => m.user).sort()).toEqual(
      ids.pureA.filter((_, i) => i % 2 === 1).map((id) => `crm:${id}`).sort(),
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
