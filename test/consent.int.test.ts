import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvRows } from '../src/ingest/csv-rows.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { Browser, startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

/**
 * Consent by purpose through the HTTP API: segmentation (kept out of runs), personalization (content systems read an
 * empty segment of one), marketing (in no audience count, page, rule or CSV), the v1 single flag as every purpose,
 * the history of changes, and another API process following a change through the change feed.
 */

interface Affinities {
  user: string;
  runId: string | null;
  segments: Array<{ segmentId: string; affinity: number; topics: string[] }>;
  suggestedTopics: unknown[];
}
interface History {
  items: Array<{ purpose: string; granted: boolean; by: string; at: string }>;
}

const p = randomUUID().slice(0, 8);
const SURF = [1, 2, 3, 4].map((i) => `Surf ${p} ${i}`);
const CHESS = [1, 2, 3, 4].map((i) => `Chess ${p} ${i}`);
const HIDDEN = `Hidden ${p}`;
const crm = (id: string) => `crm:${p}-${id}`;

let t: TestApp;
let t2: TestApp;
let fb: FakeFacebook;
let marketer: string;
let content: string;
let ingest: string;
let surfSeg: string;

const surfer = (id: string, consent?: Record<string, boolean>) => ({
  externalId: `${p}-${id}`,
  interests: SURF.slice(0, 3).map((topic) => ({ topic })),
  purchases: [{ sku: `SKU-${p}`, category: SURF[3] }],
  ...(consent ? { consent } : {}),
});

async function affinities(app: TestApp, address: string): Promise<Affinities> {
  return getJson<Affinities>(app, content, `/v1/users/${encodeURIComponent(address)}/affinities`);
}

async function audience(app: TestApp): Promise<{ users: string[]; total: number; csv: string[] }> {
  const page = await getJson<{ items: Array<{ user: string }>; total: number }>(
    app,
    marketer,
    `/v1/segments/${encodeURIComponent(surfSeg)}/audience?limit=1000`,
  );
  const res = await app.call('GET', `/v1/segments/${encodeURIComponent(surfSeg)}/audience`, {
    key: marketer,
    headers: { accept: 'text/csv' },
  });
  expect(res.status).toBe(200);
  const csv = parseCsvRows(await res.text()).map((r) => r.cells[0]!);
  return { users: page.items.map((i) => i.user), total: page.total, csv };
}

async function rule(where: unknown, csv = false): Promise<string[]> {
  const res = await t.call('POST', '/v1/audiences/query', {
    key: marketer,
    body: { where, limit: 1000 },
    ...(csv ? { headers: { accept: 'text/csv' } } : {}),
  });
  expect(res.status).toBe(200);
  if (csv) return parseCsvRows(await res.text()).map((r) => r.cells[0]!);
  return ((await res.json()) as { items: Array<{ user: string }> }).items.map((i) => i.user);
}

beforeAll(async () => {
  fb = await startFakeFacebook();
  t = await startTestApp(fb.env(), { worker: 'process' });
  // Another API process on the same database: it learns about changes only through the change feed.
  t2 = await startTestApp();
  [marketer, content, ingest] = await Promise.all([t.keyFor('marketer'), t.keyFor('content'), t.keyFor('ingest')]);
  await importProfiles(t, ingest, [
    ...[0, 1, 2, 3, 4].map((i) => surfer(`s${i}`)),
    ...[0, 1, 2, 3, 4].map((i) => ({
      externalId: `${p}-c${i}`,
      interests: CHESS.filter((_, k) => k !== i % 4).map((topic) => ({ topic })),
    })),
    surfer('nopers', { personalization: false }),
    surfer('nomkt', { marketing: false }),
    // Without segmentation consent (stated per purpose: the others stay given), with a topic nobody else holds.
    ...[0, 1, 2, 3].map((i) => ({
      externalId: `${p}-noseg${i}`,
      interests: [...SURF.slice(0, 3), HIDDEN, `${HIDDEN} too`].map((topic) => ({ topic })),
      consent: { segmentation: false, marketing: true },
    })),
    surfer('legacy', { segmentation: false }),
  ]);
  await runSegmentation(t, marketer);
  surfSeg = (await affinities(t, crm('s0'))).segments[0]!.segmentId;
});

afterAll(async () => {
  await t2?.close();
  await t?.close();
  await fb?.close();
});

describe('consent by purpose', () => {
  it('keeps people without segmentation consent out of runs: a topic only they hold is in no segment', async () => {
    const found = await getJson<{ items: Array<{ id: string; name: string }> }>(t, marketer, `/v1/topics?q=${encodeURIComponent(HIDDEN)}`);
    expect(found.items.map((i) => i.name).sort()).toEqual([HIDDEN, `${HIDDEN} too`].sort());
    for (const topic of found.items) {
      const detail = await getJson<{ segmentId: string | null; userCount: number; related: unknown[] }>(
        t,
        marketer,
        `/v1/topics/${topic.id}`,
      );
      expect(detail).toMatchObject({ segmentId: null, userCount: 0, related: [] });
    }
    const none = await affinities(t, crm('noseg0'));
    expect(none.segments).toEqual([]);
    const { users } = await audience(t);
    expect(users).not.toContain(crm('noseg0'));
  });

  it('answers content systems an empty segment of one for people without personalization consent', async () => {
    const refused = await affinities(t, crm('nopers'));
    expect(refused).toEqual({ user: crm('nopers'), runId: expect.any(String), segments: [], suggestedTopics: [] });
    const batch = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [crm('nopers'), crm('s1')] } });
    const items = ((await batch.json()) as { items: Affinities[] }).items;
    expect(items.find((i) => i.user === crm('nopers'))!.segments).toEqual([]);
    expect(items.find((i) => i.user === crm('s1'))!.segments).toHaveLength(1);
    // Marketing is another purpose: they are still in the audience.
    expect((await audience(t)).users).toContain(crm('nopers'));
  });

  it('counts, pages, exports and selects nobody without marketing consent, while content systems still read them', async () => {
    expect((await affinities(t, crm('nomkt'))).segments).toHaveLength(1);
    const a = await audience(t);
    expect(a.users).not.toContain(crm('nomkt'));
    expect(a.csv).not.toContain(crm('nomkt'));
    expect(a.users).toContain(crm('s0'));
    expect(a.total).toBe(a.users.length);
    for (const where of [{ segment: surfSeg }, { interest: { topic: SURF[0] } }, { purchased: { sku: `SKU-${p}` } }]) {
      const users = await rule(where);
      expect(users, JSON.stringify(where)).toContain(crm('s0'));
      expect(users, JSON.stringify(where)).not.toContain(crm('nomkt'));
    }
    expect(await rule({ segment: surfSeg }, true)).not.toContain(crm('nomkt'));
  });

  it('reads an import’s single segmentation flag as every purpose, and keeps the history of what imports changed', async () => {
    expect((await affinities(t, crm('legacy'))).segments).toEqual([]);
    expect((await audience(t)).users).not.toContain(crm('legacy'));
    const before = await getJson<History>(t, t.adminKey, `/v1/users/${crm('legacy')}/consent/history`);
    expect(before.items.map((c) => [c.purpose, c.granted, c.by]).sort()).toEqual(
      [
        ['marketing', false, 'import'],
        ['personalization', false, 'import'],
        ['segmentation', false, 'import'],
      ].sort(),
    );
    await importProfiles(t, ingest, [surfer('legacy', { segmentation: true })]);
    expect((await affinities(t, crm('legacy'))).segments).toHaveLength(1);
    expect((await audience(t)).users).toContain(crm('legacy'));
    const after = await getJson<History>(t, t.adminKey, `/v1/users/${crm('legacy')}/consent/history`);
    expect(after.items).toHaveLength(6);
    expect(after.items.slice(0, 3).every((c) => c.granted && c.by === 'import')).toBe(true);
    // Importing the same consent again changes nothing, so nothing is added.
    await importProfiles(t, ingest, [surfer('legacy', { segmentation: true })]);
    expect((await getJson<History>(t, t.adminKey, `/v1/users/${crm('legacy')}/consent/history`)).items).toHaveLength(6);
    // Only admins read someone's history; nobody else holds a note of who they are.
    expect((await t.call('GET', `/v1/users/${crm('legacy')}/consent/history`, { key: marketer })).status).toBe(403);
    expect(JSON.stringify(after)).not.toContain(p);
  }, 180_000);

  it('lets the person see and change each purpose; every process follows; the history says who and when', async () => {
    const person: FakePerson = {
      id: `fb-${p}`,
      name: 'Ona',
      email: `ona-${p}@example.org`,
      likes: SURF.slice(0, 3).map((name, i) => ({ id: `pg-${p}-${i}`, name })),
    };
    fb.setPerson(person);
    const b = new Browser(t.baseUrl);
    expect((await b.login()).callback.status).toBe(302);
    const me = `facebook:${person.id}`;
    const put = async (body: unknown) => b.fetch('/v1/me/consent', { method: 'PUT', body });
    expect(await (await b.fetch('/v1/me/consent')).json()).toEqual({ segmentation: true, personalization: true, marketing: true });
    expect((await audience(t)).users).toContain(me);
    // The other process learns about the new person through the change feed too.
    await t2.services.feed.poll();
    expect((await audience(t2)).users).toContain(me);

    const res = await put({ marketing: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ segmentation: true, personalization: true, marketing: false });
    expect(((await (await b.fetch('/v1/me')).json()) as { consent: unknown }).consent).toEqual({
      segmentation: true,
      personalization: true,
      marketing: false,
    });
    expect((await audience(t)).users).not.toContain(me);
    expect((await affinities(t, me)).segments).toHaveLength(1);
    // The other process follows through the change feed.
    await t2.services.feed.poll();
    expect((await audience(t2)).users).not.toContain(me);

    expect((await put({ personalization: false })).status).toBe(200);
    expect((await affinities(t, me)).segments).toEqual([]);
    await t2.services.feed.poll();
    expect((await affinities(t2, me)).segments).toEqual([]);
    // The person's own page still shows their segment of one.
    const mine = (await (await b.fetch('/v1/me/affinities')).json()) as Affinities;
    expect(mine.segments).toHaveLength(1);

    // A later CRM record for the same person (stitched by email) does not override their own choices.
    await importProfiles(t, ingest, [{ externalId: `${p}-ona`, email: person.email, consent: { segmentation: true } }]);
    expect(await (await b.fetch('/v1/me/consent')).json()).toEqual({ segmentation: true, personalization: false, marketing: false });

    for (const bad of [{}, { marketing: 'no' }, { everything: true }]) expect((await put(bad)).status).toBe(400);
    // The v1 form: every purpose at once.
    expect(await (await put({ segmentation: true })).json()).toEqual({ segmentation: true, personalization: true, marketing: true });
    // Audiences show the CRM address once there is one.
    expect((await audience(t)).users).toContain(crm('ona'));
    expect((await affinities(t, me)).segments).toHaveLength(1);

    const history = (await (await b.fetch('/v1/me/consent/history')).json()) as History;
    expect(history.items.map((c) => [c.purpose, c.granted, c.by])).toEqual([
      ['marketing', true, 'person'],
      ['personalization', true, 'person'],
      ['personalization', false, 'person'],
      ['marketing', false, 'person'],
    ]);
    expect(history.items.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
    expect(JSON.stringify(history)).not.toContain(person.email!);
    // Another origin cannot change it with the cookie.
    expect(
      (await b.fetch('/v1/me/consent', { method: 'PUT', body: { marketing: false }, headers: { origin: 'https://evil.example' } })).status,
    ).toBe(403);
  }, 180_000);
});
