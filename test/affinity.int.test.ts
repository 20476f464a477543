import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { parsed, problem } from './support/parse.js';
import { BatchAffinitiesSchema, UserAffinitiesSchema } from '../src/affinity/schemas.js';

let t: TestApp;
let content: string;
let ingest: string;
let marketer: string;
const p = randomUUID().slice(0, 8);
const A = [1, 2, 3, 4].map((i) => `Alpine ${p} ${i}`);
const B = [1, 2, 3, 4].map((i) => `Baking ${p} ${i}`);
const crm = (id: string) => `crm:${p}-${id}`;

function profile(id: string, interests: Array<[string, number]>) {
  return { externalId: `${p}-${id}`, name: id, interests: interests.map(([topic, weight]) => ({ topic, weight })) };
}

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  [content, ingest, marketer] = await Promise.all([t.keyFor('content'), t.keyFor('ingest'), t.keyFor('marketer')]);
  const records = [
    // Two groups of topics that only ever co-occur within the group: two natural segments.
    ...[0, 1, 2, 3, 4, 5].map((i) =>
      profile(
        `a${i}`,
        A.filter((_, k) => k !== i % 4).map((tp, k) => [tp, 1 + ((i + k) % 3)]),
      ),
    ),
    ...[0, 1, 2, 3, 4, 5].map((i) =>
      profile(
        `b${i}`,
        B.filter((_, k) => k !== i % 4).map((tp, k) => [tp, 1 + ((i + k) % 2)]),
      ),
    ),
    profile('mix', [
      [A[0]!, 3],
      [A[1]!, 1],
      [B[0]!, 2],
      [`Solo ${p}`, 5], // one person only: too rare for detection, placed where that person's other interests are (Alpine)
    ]),
    profile('solo', [[`Lonely ${p}`, 1]]),
  ];
  await importProfiles(t, ingest, records);
  await runSegmentation(t, marketer);
});
afterAll(async () => {
  await t?.close();
});

const affinities = (user: string, key = content) =>
  getJson(t, key, `/v1/users/${encodeURIComponent(user)}/affinities`, UserAffinitiesSchema);

describe('segment of one', () => {
  it('splits a user over segments: shares of interest weight, sum 1, sorted, with the topics that put them there', async () => {
    const mix = await affinities(crm('mix'));
    expect(mix.user).toBe(crm('mix'));
    expect(mix.runId).toBeTruthy();
    expect(mix.segments).toHaveLength(2);
    expect(mix.segments.reduce((s, x) => s + x.affinity, 0)).toBeCloseTo(1, 5);
    const [first, second] = mix.segments;
    expect(first!.affinity).toBeGreaterThanOrEqual(second!.affinity);
    // 9 of the 11 weight units are Alpine: A0, A1 and Solo, which goes where mix's other interests are.
    expect(first!.affinity).toBeCloseTo(9 / 11, 5);
    expect(first!.topics).toEqual([`Solo ${p}`, A[0], A[1]]);
    expect(second!.affinity).toBeCloseTo(2 / 11, 5);
    expect(second!.topics).toEqual([B[0]]);
    expect(first!.label.length).toBeGreaterThan(0);
  });

  it('computes lift against the population share, as recomputed here from the data this file imported', async () => {
    // Independently of the service: each imported user's affinity to the Alpine and Baking segments, from the
    // weights above (a* are all Alpine, b* all Baking, mix has 9 Alpine units (Solo placed with Alpine) and 2 Baking
    // ones; Lonely is in no segment). S = the sum of those affinities over this file's users, the only ones with these
    // topics.
    const sumA = 6 + 9 / 11;
    const sumB = 6 + 2 / 11;
    const a0 = await affinities(crm('a0'));
    const b0 = await affinities(crm('b0'));
    const mix = await affinities(crm('mix'));
    expect(a0.segments.map((s) => s.affinity)).toEqual([1]);
    expect(b0.segments.map((s) => s.affinity)).toEqual([1]);
    // share = S / N, N the population with segmented interest in the whole database (other files' users too), so
    // lift(a0) × S_A and lift(b0) × S_B must both give N: the same whole number, at least this file's 13 users.
    const nA = a0.segments[0]!.lift * sumA;
    const nB = b0.segments[0]!.lift * sumB;
    expect(nA).toBeCloseTo(nB, 2);
    expect(nA).toBeCloseTo(Math.round(nA), 2);
    expect(Math.round(nA)).toBeGreaterThanOrEqual(13);
    const population = Math.round(nA);
    const alpine = mix.segments.find((s) => s.segmentId === a0.segments[0]!.segmentId)!;
    const baking = mix.segments.find((s) => s.segmentId === b0.segments[0]!.segmentId)!;
    expect(alpine.lift).toBeCloseTo(9 / 11 / (sumA / population), 3);
    expect(baking.lift).toBeCloseTo(2 / 11 / (sumB / population), 3);
  });

  it('suggests related topics the user does not have yet', async () => {
    // a0 lacks the first Alpine topic, which its other topics are co-liked with.
    const a0 = await affinities(crm('a0'));
    const names = a0.suggestedTopics.map((s) => s.name);
    expect(names).toContain(A[0]);
    for (const own of A.slice(1)) expect(names).not.toContain(own);
    for (const s of a0.suggestedTopics) {
      expect(s.score).toBeGreaterThan(0);
      expect(s.score).toBeLessThanOrEqual(1);
    }
  });

  it('answers [] for a user without segmented interest and 404 for an unknown one', async () => {
    const solo = await affinities(crm('solo'));
    expect(solo.segments).toEqual([]);
    const unknown = await t.call('GET', `/v1/users/${encodeURIComponent(crm('nobody'))}/affinities`, { key: content });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('addresses a user by its own id as well', async () => {
    const byCrm = await affinities(crm('b1'));
    const users = await t.services.users.resolve(crm('b1'));
    const byId = await affinities(users!);
    expect(byId.segments).toEqual(byCrm.segments);
    expect(byId.user).toBe(users);
  });

  it('follows new interests right after an event returns, without a new run', async () => {
    const before = await affinities(crm('a1'));
    expect(before.segments).toHaveLength(1);
    const res = await t.call('POST', '/v1/events', {
      key: ingest,
      body: { events: [{ id: `${p}-evt-1`, user: crm('a1'), topic: B[2], kind: 'like', weight: 3, at: new Date().toISOString() }] },
    });
    expect(res.status).toBe(202);
    const after = await affinities(crm('a1'));
    expect(after.runId).toBe(before.runId);
    expect(after.segments).toHaveLength(2);
    expect(after.segments.reduce((s, x) => s + x.affinity, 0)).toBeCloseTo(1, 5);
    expect(after.segments.flatMap((s) => s.topics)).toContain(B[2]);
  });

  it('answers a batch of up to 1000 users, listing the unknown ones', async () => {
    const res = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [crm('a2'), crm('mix'), crm('nobody')] } });
    expect(res.status).toBe(200);
    const body = await parsed(res, BatchAffinitiesSchema);
    expect(body.items.map((i) => i.user).sort()).toEqual([crm('a2'), crm('mix')].sort());
    expect(body.missing).toEqual([crm('nobody')]);
    for (const item of body.items) expect(item.segments.reduce((s, x) => s + x.affinity, 0)).toBeCloseTo(1, 5);

    const tooMany = await t.call('POST', '/v1/affinities/batch', {
      key: content,
      body: { users: Array.from({ length: 1001 }, (_, i) => `crm:x${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expect((await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [] } })).status).toBe(400);
  });

  it('answers a batch in request order, once per reference, trimmed like every user reference', async () => {
    const order = [crm('mix'), crm('a2'), crm('nobody'), crm('b0'), crm('a2'), ` ${crm('b0')} `, crm('a0')];
    const res = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: order } });
    expect(res.status).toBe(200);
    const body = await parsed(res, BatchAffinitiesSchema);
    expect(body.items.map((i) => i.user)).toEqual([crm('mix'), crm('a2'), crm('b0'), crm('a0')]);
    expect(body.missing).toEqual([crm('nobody')]);
    const single = await affinities(crm('b0'));
    expect(body.items[2]!.segments).toEqual(single.segments);
  });

  it('takes exactly 1000 users and refuses 1001 with a 400 naming the field', async () => {
    const known = [crm('a0'), crm('b1'), crm('mix')];
    const thousand = [...known, ...Array.from({ length: 997 }, (_, i) => `crm:${p}-absent-${i}`)];
    const res = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: thousand } });
    expect(res.status).toBe(200);
    const body = await parsed(res, BatchAffinitiesSchema);
    expect(body.items.map((i) => i.user)).toEqual(known);
    expect(body.missing).toHaveLength(997);
    expect(body.missing[0]).toBe(`crm:${p}-absent-0`);

    const tooMany = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [...thousand, crm('b2')] } });
    expect(tooMany.status).toBe(400);
    const refused = await problem(tooMany);
    expect(refused.errors?.map((e) => e.path)).toContain('body.users');
  });

  it('lets content, marketer and admin keys read affinities, and no one else', async () => {
    const path = `/v1/users/${encodeURIComponent(crm('a3'))}/affinities`;
    expect((await t.call('GET', path, { key: marketer })).status).toBe(200);
    expect((await t.call('GET', path, { key: t.adminKey })).status).toBe(200);
    expect((await t.call('GET', path, { key: ingest })).status).toBe(403);
    expect((await t.call('GET', path)).status).toBe(401);
  });

  it('erases a user for an admin only; later lookups answer 404', async () => {
    const path = `/v1/users/${encodeURIComponent(crm('b5'))}`;
    expect((await t.call('DELETE', path, { key: marketer })).status).toBe(403);
    expect((await affinities(crm('b5'))).segments).toHaveLength(1);
    expect((await t.call('DELETE', path, { key: t.adminKey })).status).toBe(204);
    expect((await t.call('GET', `${path}/affinities`, { key: content })).status).toBe(404);
    expect((await t.call('DELETE', path, { key: t.adminKey })).status).toBe(404);
    expect(await t.services.users.resolve(crm('b5'))).toBeUndefined();
  });
});
