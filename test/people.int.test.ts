import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { Browser, startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

interface Affinities {
  user: string;
  segments: Array<{ segmentId: string; affinity: number; topics: string[] }>;
}

let fb: FakeFacebook;
let t: TestApp;
let marketer: string;
let content: string;
const p = randomUUID().slice(0, 8);
const SURF = [1, 2, 3, 4].map((i) => `Surf ${p} ${i}`);
const CHESS = [1, 2, 3, 4].map((i) => `Chess ${p} ${i}`);

const person = (n: number, likes: string[]): FakePerson => ({
  id: `fb-${p}-${n}`,
  name: `Fan ${n}`,
  email: `fan${n}-${p}@example.org`,
  likes: likes.map((name, i) => ({ id: `pg-${p}-${i}-${name.length}`, name, category: 'Interest' })),
});
const ana = person(1, [SURF[0]!, SURF[1]!, CHESS[0]!]);

async function signIn(who: FakePerson): Promise<Browser> {
  fb.setPerson(who);
  const b = new Browser(t.baseUrl);
  const { callback } = await b.login();
  expect(callback.status).toBe(302);
  return b;
}

async function audience(segmentId: string): Promise<string[]> {
  const page = await getJson<{ items: Array<{ user: string }> }>(
    t,
    marketer,
    `/v1/segments/${encodeURIComponent(segmentId)}/audience?limit=1000`,
  );
  return page.items.map((i) => i.user);
}

let anaBrowser: Browser;

beforeAll(async () => {
  fb = await startFakeFacebook();
  fb.likesPageSize = 2;
  t = await startTestApp(fb.env(), { worker: 'process' });
  const ingest = await t.keyFor('ingest');
  [marketer, content] = await Promise.all([t.keyFor('marketer'), t.keyFor('content')]);
  await importProfiles(t, ingest, [
    ...[0, 1, 2, 3, 4, 5].map((i) => ({
      externalId: `${p}-s${i}`,
      interests: SURF.filter((_, k) => k !== i % 4).map((topic) => ({ topic })),
    })),
    ...[0, 1, 2, 3, 4, 5].map((i) => ({
      externalId: `${p}-c${i}`,
      interests: CHESS.filter((_, k) => k !== i % 4).map((topic) => ({ topic })),
    })),
  ]);
  anaBrowser = await signIn(ana);
  await runSegmentation(t, marketer);
});
afterAll(async () => {
  await t?.close();
  await fb?.close();
});

describe("a person's own pages", () => {
  it('shows the person, their interests from Facebook likes and their segment of one', async () => {
    const me = (await (await anaBrowser.fetch('/v1/me')).json()) as { id: string; identities: string[] };
    expect(me.identities).toEqual([`facebook:${ana.id}`]);
    const interests = (await (await anaBrowser.fetch('/v1/me/interests')).json()) as { items: Array<{ name: string; sources: string[] }> };
    expect(interests.items.map((i) => i.name).sort()).toEqual([...ana.likes.map((l) => l.name)].sort());
    expect(interests.items.every((i) => i.sources.includes('facebook'))).toBe(true);

    const mine = (await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities;
    expect(mine.user).toBe(me.id);
    expect(mine.segments).toHaveLength(2);
    expect(mine.segments.reduce((s, x) => s + x.affinity, 0)).toBeCloseTo(1, 5);
    expect(mine.segments[0]!.topics.sort()).toEqual([SURF[0], SURF[1]].sort());
    const viaKey = await getJson<Affinities>(t, content, `/v1/users/facebook:${ana.id}/affinities`);
    expect(viaKey.segments).toEqual(mine.segments);
  });

  it('removes an interest; it stays removed after the next login', async () => {
    const interests = (await (await anaBrowser.fetch('/v1/me/interests')).json()) as { items: Array<{ topicId: string; name: string }> };
    const chess = interests.items.find((i) => i.name === CHESS[0])!;
    expect((await anaBrowser.fetch(`/v1/me/interests/${chess.topicId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await anaBrowser.fetch(`/v1/me/interests/${chess.topicId}`, { method: 'DELETE' })).status).toBe(404);
    const after = (await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities;
    expect(after.segments).toHaveLength(1);
    expect(after.segments[0]!.affinity).toBe(1);

    // Facebook still reports the like: the next login must not bring it back.
    anaBrowser = await signIn(ana);
    const again = (await (await anaBrowser.fetch('/v1/me/interests')).json()) as { items: Array<{ name: string }> };
    expect(again.items.map((i) => i.name).sort()).toEqual([SURF[0], SURF[1]].sort());
    expect(((await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities).segments).toHaveLength(1);
  });

  it('withdraws consent: out of audiences and without a segment of one, until given again', async () => {
    const surfSegment = ((await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities).segments[0]!.segmentId;
    expect(await audience(surfSegment)).toContain(`facebook:${ana.id}`);

    const res = await anaBrowser.fetch('/v1/me/consent', { method: 'PUT', body: { segmentation: false } });
    expect(res.status).toBe(200);
    // The v1 form, `{segmentation}` alone, speaks for every purpose.
    expect(await res.json()).toEqual({ segmentation: false, personalization: false, marketing: false });
    expect(((await (await anaBrowser.fetch('/v1/me')).json()) as { consent: unknown }).consent).toEqual({
      segmentation: false,
      personalization: false,
      marketing: false,
    });
    expect(await audience(surfSegment)).not.toContain(`facebook:${ana.id}`);
    expect(((await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities).segments).toEqual([]);

    expect((await anaBrowser.fetch('/v1/me/consent', { method: 'PUT', body: { segmentation: 'no' } })).status).toBe(400);
    expect((await anaBrowser.fetch('/v1/me/consent', { method: 'PUT', body: { segmentation: true } })).status).toBe(200);
    expect(await audience(surfSegment)).toContain(`facebook:${ana.id}`);
  });

  it('refuses what a person may not do', async () => {
    // Another user's data, and even their own through the machine endpoint: persons read only /v1/me*.
    expect((await anaBrowser.fetch(`/v1/users/crm:${p}-s1/affinities`)).status).toBe(403);
    expect((await anaBrowser.fetch(`/v1/users/facebook:${ana.id}/affinities`)).status).toBe(403);
    expect((await anaBrowser.fetch('/v1/affinities/batch', { method: 'POST', body: { users: [`crm:${p}-s1`] } })).status).toBe(403);
    const seg = ((await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities).segments[0]!.segmentId;
    expect((await anaBrowser.fetch(`/v1/segments/${seg}/audience`)).status).toBe(403);
    expect((await anaBrowser.fetch(`/v1/users/crm:${p}-s1`, { method: 'DELETE' })).status).toBe(403);
    expect((await anaBrowser.fetch('/v1/api-keys')).status).toBe(403);
    // Keys cannot use the person pages, nobody reads them anonymously.
    expect((await t.call('GET', '/v1/me', { key: t.adminKey })).status).toBe(403);
    expect((await t.call('GET', '/v1/me/affinities')).status).toBe(401);
    expect((await t.call('DELETE', '/v1/me')).status).toBe(401);
    // Roles: a content key cannot export audiences, a marketer key cannot manage keys.
    expect((await t.call('GET', `/v1/segments/${seg}/audience`, { key: content, headers: { accept: 'text/csv' } })).status).toBe(403);
    expect((await t.call('GET', '/v1/api-keys', { key: marketer })).status).toBe(403);
    expect((await t.call('POST', '/v1/api-keys', { key: marketer, body: { name: 'x', role: 'admin' } })).status).toBe(403);
  });

  it('erases the person with DELETE /v1/me: later lookups answer 404 and every session of theirs ends', async () => {
    const bo = person(2, [SURF[2]!, SURF[3]!]);
    const b = await signIn(bo);
    const phone = await signIn(bo); // the same person signed in elsewhere
    const cookie = b.cookies.get('sid')!;
    expect((await phone.fetch('/v1/me')).status).toBe(200);
    expect((await t.call('GET', `/v1/users/facebook:${bo.id}/affinities`, { key: content })).status).toBe(200);
    expect((await b.fetch('/v1/me', { method: 'DELETE' })).status).toBe(204);
    expect(b.cookies.has('sid')).toBe(false);
    expect((await t.call('GET', `/v1/users/facebook:${bo.id}/affinities`, { key: content })).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/v1/me`, { headers: { cookie: `sid=${cookie}` } })).status).toBe(401);
    for (const path of ['/v1/me', '/v1/me/affinities', '/v1/me/interests']) expect((await phone.fetch(path)).status).toBe(401);
    expect((await t.call('DELETE', `/v1/users/facebook:${bo.id}`, { key: t.adminKey })).status).toBe(404);
    const seg = ((await (await anaBrowser.fetch('/v1/me/affinities')).json()) as Affinities).segments[0]!.segmentId;
    expect(await audience(seg)).not.toContain(`facebook:${bo.id}`);
  });

  it('refuses state changes a session cookie carries from another origin (403), and takes them from our own', async () => {
    const cy = person(3, [CHESS[1]!, CHESS[2]!]);
    const b = await signIn(cy);
    const foreign = { origin: 'https://evil.example' };
    for (const [method, path, body] of [
      ['DELETE', '/v1/me', undefined],
      ['PUT', '/v1/me/consent', { segmentation: false }],
      ['DELETE', `/v1/me/interests/${encodeURIComponent('t-anything')}`, undefined],
    ] as const) {
      const res = await b.fetch(path, { method, body, headers: foreign });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await res.json()) as { type: string }).type).toMatch(/cross-origin$/);
    }
    expect((await b.fetch('/v1/me', { method: 'DELETE', headers: { origin: 'null' } })).status).toBe(403);
    expect((await b.fetch('/v1/me', { method: 'DELETE', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await b.fetch('/v1/me', { method: 'DELETE', headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect((await b.fetch('/auth/logout', { method: 'POST', headers: foreign })).status).toBe(403);
    // Nothing happened: still signed in, consent unchanged; reads are not state changes.
    const me = await b.fetch('/v1/me', { headers: foreign });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { consent: { segmentation: boolean } }).consent.segmentation).toBe(true);
    // An API key is no cookie: its callers are not checked.
    expect((await t.call('GET', `/v1/users/facebook:${cy.id}/affinities`, { key: content, headers: foreign })).status).toBe(200);

    // The same requests from our own page go through.
    const own = { origin: t.baseUrl, 'sec-fetch-site': 'same-origin' };
    expect((await b.fetch('/v1/me/consent', { method: 'PUT', body: { segmentation: false }, headers: own })).status).toBe(200);
    expect((await b.fetch('/v1/me', { method: 'DELETE', headers: own })).status).toBe(204);
    expect((await t.call('GET', `/v1/users/facebook:${cy.id}/affinities`, { key: content })).status).toBe(404);
  });

  it('erases a person through the admin endpoint: every session of theirs is refused afterwards', async () => {
    const cy = person(3, [SURF[0]!, SURF[3]!]);
    const b = await signIn(cy);
    const tablet = await signIn(cy);
    expect((await b.fetch('/v1/me')).status).toBe(200);
    expect((await t.call('DELETE', `/v1/users/facebook:${cy.id}`, { key: t.adminKey })).status).toBe(204);
    for (const session of [b, tablet]) {
      expect((await session.fetch('/v1/me')).status).toBe(401);
      expect((await session.fetch('/v1/me/affinities')).status).toBe(401);
      expect((await session.fetch('/v1/me/interests')).status).toBe(401);
      expect((await session.fetch('/v1/me', { method: 'DELETE' })).status).toBe(401);
    }
    expect((await t.call('GET', `/v1/users/facebook:${cy.id}/affinities`, { key: content })).status).toBe(404);
  });

  it('erases a person known by a crm: and a facebook: address: both answer 404 and neither is in any audience', async () => {
    const email = `dee-${p}@example.org`;
    const crmId = `${p}-dee`;
    // The CRM knows Dee first; her Facebook login (same email) joins that person.
    await importProfiles(t, t.adminKey, [{ externalId: crmId, email, interests: [SURF[0], SURF[1], SURF[2]].map((topic) => ({ topic })) }]);
    const dee: FakePerson = { ...person(4, [SURF[3]!]), email };
    const b = await signIn(dee);
    const me = (await (await b.fetch('/v1/me')).json()) as { identities: string[] };
    expect(me.identities).toEqual([`crm:${crmId}`, `facebook:${dee.id}`]);
    const seg = ((await (await b.fetch('/v1/me/affinities')).json()) as Affinities).segments[0]!.segmentId;
    const rule = async () => {
      const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { segment: seg }, limit: 1000 } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Array<{ user: string }> }).items.map((i) => i.user);
    };
    expect(await audience(seg)).toContain(`crm:${crmId}`);
    expect(await rule()).toContain(`crm:${crmId}`);

    expect((await t.call('DELETE', `/v1/users/crm:${crmId}`, { key: t.adminKey })).status).toBe(204);
    for (const address of [`crm:${crmId}`, `facebook:${dee.id}`]) {
      expect((await t.call('GET', `/v1/users/${address}/affinities`, { key: content })).status).toBe(404);
      expect((await t.call('DELETE', `/v1/users/${address}`, { key: t.adminKey })).status).toBe(404);
    }
    const batch = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [`crm:${crmId}`, `facebook:${dee.id}`] } });
    expect(await batch.json()).toEqual({ items: [], missing: [`crm:${crmId}`, `facebook:${dee.id}`] });
    for (const users of [await audience(seg), await rule()]) {
      expect(users).not.toContain(`crm:${crmId}`);
      expect(users).not.toContain(`facebook:${dee.id}`);
    }
    expect((await b.fetch('/v1/me')).status).toBe(401);
  });
});
