/**
 * Erasure leaves nothing of the person behind and keeps them out: through the HTTP API, a person who signed in with
 * Facebook and also came from the CRM (stitched by email) erases themselves; the topics only they held (with their
 * category, segment memberships and co-interest links), the links only they made, every suggestion of such a topic to
 * anyone, and their event ids are gone at once; a re-import or an event naming them is refused as suppressed and
 * reported; the audit log records it without personal data; their own login brings them back.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { finishedRun, getJson, importProfiles, type Run } from './support/dashboard-seed.js';
import { type Browser, signIn as signInAs, startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
let fb: FakeFacebook;
// Its own Neo4j: its run (every topic held by one person takes part) would otherwise be the visible run other files'
// runs are validated against, and what a run links depends on everything the database holds.
let neo: OwnNeo4j;
let t: TestApp;
let admin: string;
let ingest: string;
let marketer: string;
let content: string;
const p = randomUUID().slice(0, 8);
const FOOD = [0, 1, 2, 3, 4, 5].map((i) => `Food ${p} ${i}`);
const MUSIC = [0, 1, 2, 3, 4, 5].map((i) => `Music ${p} ${i}`);
/** Held by the subject and by Bea: it stays, but its links to the subject's food topics were the subject's alone. */
const RARE = `Rare ${p}`;
/** Held by the subject alone: from the CRM, a Facebook like, a purchase event. */
const ONLY = `Only ${p}`;
const LIKED = `Liked ${p}`;
const BOUGHT = `Bought ${p}`;
const SECRET_CATEGORY = `Secret ${p}`;
const exclusive = [ONLY, LIKED, BOUGHT].map((n) => topicId(n));
const email = `subject-${p}@example.org`;
const subjectRecord = {
  externalId: `${p}-subject`,
  email,
  name: `Subject ${p}`,
  interests: [...FOOD.slice(0, 3).map((topic) => ({ topic })), { topic: RARE }, { topic: ONLY, category: SECRET_CATEGORY }],
};
const subject: FakePerson = {
  id: `fb-${p}-subject`,
  name: `Subject ${p}`,
  email,
  likes: [{ id: `pg-${p}-liked`, name: LIKED, category: 'Interest' }],
};
const eventIds = [`ev-${p}-like`, `ev-${p}-buy`];
const population = [
  ...Array.from({ length: 30 }, (_, i) => ({
    externalId: `${p}-f${i}`,
    interests: FOOD.filter((_, k) => k !== i % 6).map((topic) => ({ topic })),
  })),
  ...Array.from({ length: 30 }, (_, i) => ({
    externalId: `${p}-m${i}`,
    interests: MUSIC.filter((_, k) => k !== i % 6).map((topic) => ({ topic })),
  })),
  { externalId: `${p}-bea`, interests: [{ topic: RARE, weight: 3 }, { topic: MUSIC[0]! }] },
];
const everyone = population.map((r) => `crm:${r.externalId}`);

async function cypher(file: string, params: Record<string, unknown>) {
  const text = readFileSync(path.join(__dirname, 'cypher', 'privacy', file), 'utf8');
  return (await t.db.driver.executeQuery(text, params)).records.map((r) => r.toObject());
}

let subjectId: string;

async function footprint(): Promise<Record<string, number>> {
  const [row] = await cypher('erasure-footprint.cypher', {
    userId: subjectId,
    topicIds: exclusive,
    category: SECRET_CATEGORY,
    shared: topicId(RARE),
    soleLinked: FOOD.map((n) => topicId(n)),
    eventIds,
  });
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

type Suggestions = { items: Array<{ user: string; suggestedTopics: Array<{ id: string }> }> };
/** Everyone's segments of one, as served: the topics suggested to anyone, and the whole text. */
async function segmentsOfOne(): Promise<{ suggested: Set<string>; text: string }> {
  const res = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: everyone } });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const body = JSON.parse(text) as Suggestions;
  expect(body.items.length).toBe(everyone.length);
  return { suggested: new Set(body.items.flatMap((i) => i.suggestedTopics.map((s) => s.id))), text };
}

const signIn = (who: FakePerson): Promise<Browser> => signInAs(fb, t.baseUrl, who);

let browser: Browser;

beforeAll(async () => {
  fb = await startFakeFacebook();
  neo = await startOwnNeo4j();
  t = await startTestApp({ ...fb.env(), ...neo.env }, { applySchema: true, worker: 'process' });
  [admin, ingest, marketer, content] = await Promise.all([
    t.keyFor('admin'),
    t.keyFor('ingest'),
    t.keyFor('marketer'),
    t.keyFor('content'),
  ]);
  await importProfiles(t, ingest, [...population, subjectRecord]);
  browser = await signIn(subject);
  const events = await t.call('POST', '/v1/events', {
    key: ingest,
    body: {
      events: [
        { id: eventIds[0], user: `crm:${subjectRecord.externalId}`, topic: FOOD[3], kind: 'like' },
        { id: eventIds[1], user: `facebook:${subject.id}`, topic: BOUGHT, kind: 'purchase', sku: `sku-${p}` },
      ],
    },
  });
  expect(await events.json()).toMatchObject({ accepted: 2, rejected: [] });
  // Every topic held by one person takes part (minSupport, coreSupport 1), so the subject's own topics are segmented
  // and linked: what an erasure must take with it.
  const res = await t.call('POST', '/v1/segmentation/runs', { key: marketer, body: { minSupport: 1, coreSupport: 1 } });
  expect(res.status, await res.clone().text()).toBe(202);
  const run = await finishedRun<Run>(t, marketer, ((await res.json()) as Run).id, Date.now() + 150_000);
  expect(run.status, run.error).toBe('succeeded');
}, 300_000);

afterAll(async () => {
  await t?.close();
  await fb?.close();
  await neo?.stop();
});

describe('erasure', () => {
  it('before: the person is one user with both identities, their topics are segmented, linked and suggested', async () => {
    const me = (await (await browser.fetch('/v1/me')).json()) as { id: string; identities: string[] };
    expect(me.identities.sort()).toEqual([`crm:${subjectRecord.externalId}`, `facebook:${subject.id}`]);
    subjectId = me.id;
    const before = await footprint();
    expect(before.topics).toBe(3);
    expect(before.categorized).toBe(1);
    expect(before.memberships).toBeGreaterThanOrEqual(3);
    expect(before.related).toBeGreaterThan(0);
    expect(before.soleLinks).toBeGreaterThan(0);
    expect(before.events).toBe(2);
    const { suggested } = await segmentsOfOne();
    expect(exclusive.filter((id) => suggested.has(id)).length).toBeGreaterThan(0);
  });

  it('consent changes are in the audit log, read from the consent history (no user id), page by page', async () => {
    expect((await browser.fetch('/v1/me/consent', { method: 'PUT', body: { segmentation: false } })).status).toBe(200);
    expect((await browser.fetch('/v1/me/consent', { method: 'PUT', body: { marketing: true, segmentation: true } })).status).toBe(200);
    type Page = { items: Array<{ action: string; actor: string; details: Record<string, unknown> }>; nextCursor?: string };
    const first = await getJson<Page>(t, admin, '/v1/audit?limit=2');
    const second = await getJson<Page>(t, admin, `/v1/audit?limit=3&cursor=${first.nextCursor}`);
    const entries = [...first.items, ...second.items].map((e) => [e.action, e.actor, e.details.purpose, e.details.granted]);
    const sorted = (xs: unknown[][]) => [...xs].sort((a, b) => String(a).localeCompare(String(b)));
    // Newest first: the two purposes given back, then the three withdrawn ({segmentation: false} alone means every purpose).
    expect(sorted(entries.slice(0, 2))).toEqual([
      ['consent', 'person', 'marketing', true],
      ['consent', 'person', 'segmentation', true],
    ]);
    expect(sorted(entries.slice(2, 5))).toEqual([
      ['consent', 'person', 'marketing', false],
      ['consent', 'person', 'personalization', false],
      ['consent', 'person', 'segmentation', false],
    ]);
    expect(JSON.stringify([first, second])).not.toContain(subjectId);
    // The same changes are the person's own history.
    const history = (await (await browser.fetch('/v1/me/consent/history')).json()) as { items: unknown[] };
    expect(history.items.length).toBeGreaterThanOrEqual(5);
    expect((await t.call('GET', '/v1/audit?cursor=bm90LWEtY3Vyc29y', { key: admin })).status).toBe(400);
    expect((await browser.fetch('/v1/me/consent', { method: 'PUT', body: { personalization: true } })).status).toBe(200);
  });

  it('leaves no topic, link, suggestion or event id of the person', async () => {
    const res = await browser.fetch('/v1/me', { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await footprint()).toEqual({
      topics: 0,
      categorized: 0,
      memberships: 0,
      related: 0,
      soleLinks: 0,
      events: 0,
      topTopics: 0,
      consentChanges: 0,
    });
    // The shared topic stays (Bea holds it), and so does everyone else.
    expect((await t.call('GET', `/v1/topics/${topicId(RARE)}`, { key: content })).status).toBe(200);
    for (const id of exclusive) expect((await t.call('GET', `/v1/topics/${id}`, { key: content })).status).toBe(404);
    // At once: no one is suggested a topic of the person any more, no segment is named after one (a segment of one
    // shows its segments' labels), and the topic graph does not show them.
    const { suggested, text } = await segmentsOfOne();
    expect(exclusive.filter((id) => suggested.has(id))).toEqual([]);
    for (const name of [ONLY, LIKED, BOUGHT]) expect(text).not.toContain(name);
    const graph = JSON.stringify(await getJson(t, marketer, '/v1/segments/graph'));
    for (const text of [...exclusive, ONLY, LIKED, BOUGHT, SECRET_CATEGORY]) expect(graph).not.toContain(text);
    const segments = JSON.stringify(await getJson(t, marketer, '/v1/segments?level=coarse&limit=1000'));
    for (const text of [ONLY, LIKED, BOUGHT]) expect(segments).not.toContain(text);
    expect(await t.services.users.resolve(`crm:${subjectRecord.externalId}`)).toBeUndefined();
  });

  it('refuses and reports a re-import or an event naming the erased person', async () => {
    const again = await t.call('POST', '/v1/imports/profiles', {
      key: ingest,
      body: [population[0], subjectRecord, { externalId: `${p}-other-id`, email: email.toUpperCase(), interests: [{ topic: ONLY }] }],
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      imported: 1,
      rejected: [],
      suppressed: [
        { line: 2, externalId: subjectRecord.externalId },
        { line: 3, externalId: `${p}-other-id` },
      ],
    });
    expect(await t.services.users.resolve(`crm:${subjectRecord.externalId}`)).toBeUndefined();
    expect(await t.services.users.resolve(`crm:${p}-other-id`)).toBeUndefined();
    expect((await footprint()).topics).toBe(0);

    const events = await t.call('POST', '/v1/events', {
      key: ingest,
      body: { events: [{ id: `ev-${p}-again`, user: `crm:${subjectRecord.externalId}`, topic: ONLY, kind: 'like' }] },
    });
    const body = (await events.json()) as { accepted: number; rejected: Array<{ line: number; errors: string[] }> };
    expect(body.accepted).toBe(0);
    expect(body.rejected).toEqual([{ line: 1, id: `ev-${p}-again`, errors: [expect.stringMatching(/^user: suppressed/)] }]);
  });

  it('records the erasure in the audit log, and keeps no personal data there or in the suppression list', async () => {
    const audit = await getJson<{ items: Array<{ action: string; actor: string; details: Record<string, number> }> }>(
      t,
      admin,
      '/v1/audit?limit=1',
    );
    expect(audit.items[0]).toMatchObject({ action: 'erasure', actor: 'person', details: { topics: 3, events: 2, suppressed: 4 } });
    expect(audit.items[0]!.details.consentChanges).toBeGreaterThanOrEqual(6);
    expect(audit.items[0]!.details.related).toBeGreaterThan(0);
    // The consent changes stay in the log, without anything that names the person.
    const all = await getJson(t, admin, '/v1/audit?limit=1000');
    const stored = JSON.stringify([all, await cypher('suppression-hashes.cypher', {})]);
    expect(stored).not.toContain(subjectId);
    for (const text of [p, subject.id, 'subject', '@', ...exclusive]) expect(stored).not.toContain(text);
    expect((await t.call('GET', '/v1/audit', { key: marketer })).status).toBe(403);
  });

  it('lets the person back in through their own login, which lifts what they signed in with', async () => {
    const back = await signIn(subject);
    const me = (await (await back.fetch('/v1/me')).json()) as { identities: string[] };
    expect(me.identities).toEqual([`facebook:${subject.id}`]);
    // Their email is theirs again: a CRM record with it joins them; the erased CRM id itself stays suppressed.
    const res = await t.call('POST', '/v1/imports/profiles', {
      key: ingest,
      body: [{ externalId: `${p}-new-crm`, email, interests: [{ topic: FOOD[0] }] }, subjectRecord],
    });
    expect(await res.json()).toEqual({ imported: 1, rejected: [], suppressed: [{ line: 2, externalId: subjectRecord.externalId }] });
    const after = (await (await back.fetch('/v1/me')).json()) as { identities: string[] };
    expect(after.identities.sort()).toEqual([`crm:${p}-new-crm`, `facebook:${subject.id}`]);
    const audit = await getJson<{ items: Array<{ action: string; actor: string }> }>(t, admin, '/v1/audit?limit=1');
    expect(audit.items[0]).toMatchObject({ action: 'suppression-lifted', actor: 'login' });
  });
});
