import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic } from './support/dashboard-seed.js';
import { createAudience, evaluated, getAudience, history, holdJobs, JOB_ENV, members, until } from './support/audiences.js';
import { parseCsvRows } from '../src/ingest/csv-rows.js';
import { inHoldout } from '../src/audiences/holdout.js';

/**
 * Saved audiences through the HTTP API on a real Neo4j: definitions kept current by the evaluator job (after changes
 * of members and of the visible run), membership history, a keyed-hash holdout that leaves out the same people on
 * every export and across runs, exports, erasure.
 */

const SECRET_KEY = 'test-secret-key-0123456789';
const p = randomUUID().slice(0, 8);
const FALCONRY = `Falconry ${p}`;
const HAWKS = [1, 2, 3, 4].map((i) => `Hawks ${p} ${i}`);
const POTTERY = [1, 2, 3, 4].map((i) => `Pottery ${p} ${i}`);
const falconers = Array.from({ length: 40 }, (_, i) => `${p}-f${i}`);
const hawkers = Array.from({ length: 30 }, (_, i) => `${p}-h${i}`);
const potters = Array.from({ length: 12 }, (_, i) => `${p}-p${i}`);
const crm = (id: string) => `crm:${id}`;

let t: TestApp;
let marketer: string;
let ingest: string;
let hawkSegment: string;
const created: string[] = [];

beforeAll(async () => {
  t = await startTestApp(JOB_ENV, { worker: 'process' });
  [marketer, ingest] = await Promise.all([t.keyFor('marketer'), t.keyFor('ingest')]);
  await importProfiles(t, ingest, [
    ...falconers.map((externalId) => ({ externalId, interests: [{ topic: FALCONRY, weight: 2 }] })),
    ...hawkers.map((externalId) => ({ externalId, interests: HAWKS.map((topic) => ({ topic, weight: 1 })) })),
    ...potters.map((externalId) => ({ externalId, interests: POTTERY.map((topic) => ({ topic, weight: 1 })) })),
  ]);
  await runSegmentation(t, marketer);
  hawkSegment = (await segmentOfTopic(t, marketer, HAWKS[0]!)).segmentId;
  await holdJobs(t);
});

afterAll(async () => {
  // Other files share the database: they should not evaluate this file's audiences.
  for (const id of created) await t?.call('DELETE', `/v1/audiences/${id}`, { key: marketer });
  await t?.close();
});

async function save(body: Record<string, unknown>) {
  const a = await createAudience(t, marketer, body);
  created.push(a.id);
  return a;
}

/** Addresses of a CSV export, header checked. */
async function exportCsv(id: string): Promise<string[]> {
  const res = await t.call('GET', `/v1/audiences/${id}/members`, { key: marketer, headers: { accept: 'text/csv' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  const [header, ...rows] = parseCsvRows(await res.text()).map((r) => r.cells);
  expect(header).toEqual(['user', 'enteredAt']);
  return rows.map((r) => r[0]!);
}

const mine = (users: string[], prefix: string) => users.filter((u) => u.startsWith(`crm:${prefix}`)).sort();

describe('saved audiences', () => {
  it('saves a rule, evaluates it in the background and lists its members outside the holdout', async () => {
    const a = await save({ name: `Falconers ${p}`, where: { interest: { topic: FALCONRY } }, holdoutPercent: 25 });
    expect(a).toMatchObject({ name: `Falconers ${p}`, holdoutPercent: 25, evaluation: { status: 'pending', version: 1 } });
    const done = await evaluated(t, marketer, a.id);
    expect(done.members + done.holdout).toBe(falconers.length);
    expect(done.holdout).toBeGreaterThan(0);
    expect(done.members).toBeGreaterThan(0);
    const listed = await members(t, marketer, a.id, 7);
    expect(listed).toHaveLength(done.members);
    expect(listed.map((m) => m.userId)).toEqual([...listed.map((m) => m.userId)].sort());
    // The holdout is a keyed hash of the user id: exactly the people the documented function names.
    const stints = await history(t, marketer, a.id);
    expect(stints).toHaveLength(falconers.length);
    for (const s of stints) expect(s.holdout, s.user).toBe(inHoldout(SECRET_KEY, a.id, s.userId, 25));
    expect(new Set(listed.map((m) => m.user))).toEqual(new Set(stints.filter((s) => !s.holdout).map((s) => s.user)));
    const list = await getJson<{ items: Array<{ id: string }> }>(t, marketer, '/v1/audiences?limit=1000');
    expect(list.items.map((x) => x.id)).toContain(a.id);
  });

  it('follows its members: a new person enters, a changed one exits, history keeps both stints', async () => {
    const a = await save({ name: `Falconers again ${p}`, where: { interest: { topic: FALCONRY } } });
    await evaluated(t, marketer, a.id);
    const who = `${p}-late`;
    await importProfiles(t, ingest, [{ externalId: who, interests: [{ topic: FALCONRY }] }]);
    // Counted from the import's answer: the person is in the database then.
    const started = Date.now();
    const [entered] = await until(
      () => history(t, marketer, a.id, crm(who)),
      (s) => s.length === 1,
      10_000,
      'entry',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(entered).toMatchObject({ user: crm(who), exitedAt: null, holdout: false });
    // The CRM record no longer lists the interest: out.
    await importProfiles(t, ingest, [{ externalId: who, interests: [{ topic: POTTERY[0]! }] }]);
    const [exited] = await until(
      () => history(t, marketer, a.id, crm(who)),
      (s) => s[0]?.exitedAt != null,
      10_000,
      'exit',
    );
    expect(Date.parse(exited!.exitedAt!)).toBeGreaterThan(Date.parse(exited!.enteredAt));
    // Back again: a second stint, the first one kept.
    await importProfiles(t, ingest, [{ externalId: who, interests: [{ topic: FALCONRY }] }]);
    const stints = await until(
      () => history(t, marketer, a.id, crm(who)),
      (s) => s.length === 2,
      10_000,
      'second entry',
    );
    expect(stints[0]!.exitedAt).not.toBeNull();
    expect(stints[1]!.exitedAt).toBeNull();
    expect((await members(t, marketer, a.id)).map((m) => m.user)).toContain(crm(who));
  });

  it('lets people who withdraw consent go, and erased people leave no history', async () => {
    const a = await save({ name: `Potters ${p}`, where: { interest: { topic: POTTERY[1]! } } });
    const before = await evaluated(t, marketer, a.id);
    expect(before.members).toBe(potters.length);
    await importProfiles(t, ingest, [{ externalId: potters[0], consent: { segmentation: false } }]);
    await until(
      () => getAudience(t, marketer, a.id),
      (x) => x.members === potters.length - 1,
      10_000,
      'consent exit',
    );
    expect((await members(t, marketer, a.id)).map((m) => m.user)).not.toContain(crm(potters[0]!));
    expect((await t.call('DELETE', `/v1/users/${encodeURIComponent(crm(potters[1]!))}`, { key: t.adminKey })).status).toBe(204);
    const after = await getAudience(t, marketer, a.id);
    expect(after.members).toBe(potters.length - 2);
    const users = (await history(t, marketer, a.id)).map((s) => s.user);
    expect(users).not.toContain(crm(potters[1]!));
    expect(users).toContain(crm(potters[0]!));
  });

  it('leaves out the same hashed people on every export and across runs', async () => {
    const where = { segment: hawkSegment, minAffinity: 0.5 };
    const a = await save({ name: `Hawk watchers ${p}`, where, holdoutPercent: 30 });
    const first = await evaluated(t, marketer, a.id);
    expect(first.evaluation.runId).toBeTruthy();
    // Everyone the rule holds for now (the segment may hold people of other files of the shared database too).
    const qualifying = async () => {
      const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where, limit: 1000 } });
      return ((await res.json()) as { items: Array<{ user: string }> }).items.map((i) => i.user).sort();
    };
    const everyone = await qualifying();
    expect(everyone).toEqual(expect.arrayContaining(hawkers.map(crm)));
    expect(first.members + first.holdout).toBe(everyone.length);
    const export1 = (await exportCsv(a.id)).sort();
    const export2 = (await exportCsv(a.id)).sort();
    const held1 = everyone.filter((u) => !export1.includes(u));
    expect(export2).toEqual(export1);
    expect(held1.length).toBeGreaterThan(0);
    expect(held1.length).toBe(first.holdout);
    expect(export1.length).toBe(first.members);
    const exported = await getAudience(t, marketer, a.id);
    expect(exported.exports).toBe(2);
    expect(exported.firstExportedAt).toBeTruthy();

    // A new run: the audience is evaluated against it, and the same people are held out.
    const run = await runSegmentation(t, marketer);
    await evaluated(t, marketer, a.id, run.id);
    const now = await qualifying();
    expect(now).toEqual(everyone);
    const export3 = (await exportCsv(a.id)).sort();
    expect(export3).toEqual(export1);
    expect((await getAudience(t, marketer, a.id)).firstExportedAt).toBe(exported.firstExportedAt);
  });

  it('re-evaluates everyone when its rule changes', async () => {
    const a = await save({ name: `Changing ${p}`, where: { interest: { topic: FALCONRY } } });
    await evaluated(t, marketer, a.id);
    const res = await t.call('PATCH', `/v1/audiences/${a.id}`, { key: marketer, body: { where: { interest: { topic: POTTERY[2]! } } } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { evaluation: { version: number } }).evaluation.version).toBe(2);
    const after = await evaluated(t, marketer, a.id);
    expect(after.evaluation.version).toBe(2);
    const users = (await members(t, marketer, a.id)).map((m) => m.user);
    expect(mine(users, `${p}-f`)).toEqual([]);
    expect(mine(users, `${p}-p`).length).toBeGreaterThan(0);
  });

  it('validates definitions and answers problems for unknown audiences', async () => {
    const bad = [
      { where: { interest: { topic: FALCONRY } } },
      { name: 'x', where: { not: { interest: { topic: FALCONRY } } } },
      { name: 'x', where: { interest: { topic: FALCONRY } }, holdoutPercent: 80 },
      { name: 'x', where: { interest: { topic: FALCONRY } }, extra: 1 },
      { name: 'bad\u0000name', where: { interest: { topic: FALCONRY } } },
    ];
    for (const body of bad) {
      const res = await t.call('POST', '/v1/audiences', { key: marketer, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await t.call('POST', '/v1/audiences', { key: marketer, body: { name: 'x', where: { segment: 'seg_nope' } } })).status).toBe(
      404,
    );
    const a = await save({ name: `Fixed holdout ${p}`, where: { interest: { topic: FALCONRY } }, holdoutPercent: 10 });
    expect((await t.call('PATCH', `/v1/audiences/${a.id}`, { key: marketer, body: { holdoutPercent: 20 } })).status).toBe(400);
    expect((await t.call('PATCH', `/v1/audiences/${a.id}`, { key: marketer, body: {} })).status).toBe(400);
    expect((await t.call('GET', '/v1/audiences/aud_nope', { key: marketer })).status).toBe(404);
    expect((await t.call('GET', '/v1/audiences/aud_nope/members', { key: marketer })).status).toBe(404);
    expect((await t.call('GET', `/v1/audiences/${a.id}/members?cursor=bm9wZQ`, { key: marketer })).status).toBe(400);
    expect((await t.call('GET', `/v1/audiences/${a.id}/history?user=crm:${p}-nobody`, { key: marketer })).status).toBe(404);
    expect((await t.call('DELETE', '/v1/audiences/aud_nope', { key: marketer })).status).toBe(404);
  });

  it('lets only marketer and admin keys in', async () => {
    const content = await t.keyFor('content');
    expect((await t.call('GET', '/v1/audiences', { key: content })).status).toBe(403);
    expect((await t.call('GET', '/v1/audiences', { key: ingest })).status).toBe(403);
    expect((await t.call('GET', '/v1/audiences')).status).toBe(401);
    expect((await t.call('GET', '/v1/audiences', { key: t.adminKey })).status).toBe(200);
  });

  it('deletes an audience with its history', async () => {
    const a = await save({ name: `Short-lived ${p}`, where: { interest: { topic: FALCONRY } } });
    await evaluated(t, marketer, a.id);
    expect((await t.call('DELETE', `/v1/audiences/${a.id}`, { key: marketer })).status).toBe(204);
    expect((await t.call('GET', `/v1/audiences/${a.id}`, { key: marketer })).status).toBe(404);
    // Memberships are purged in the background.
    await until(
      async () => (await t.db.read<{ n: number }>('test/count-memberships', { audienceId: a.id }))[0]!.n,
      (n) => n === 0,
      30_000,
      'purge',
    );
  });
});
