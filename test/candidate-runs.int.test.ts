import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfiles } from '../src/demo/planted.js';
import { startTestApp, type TestApp } from './support/app.js';
import { finishedRun, getJson, importProfiles } from './support/dashboard-seed.js';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
let t: TestApp;
let other: TestApp;
let ingestKey: string;
let marketerKey: string;
const prefix = `cand${randomUUID().slice(0, 8)} `;
const base = { users: 240, communities: 3, topicsPerCommunity: 6, interestsPerUser: 5, noise: 0.05, seed: 11, prefix, nonConsentShare: 0 };

interface Run {
  id: string;
  status: string;
  publish: boolean;
  visible: boolean;
  basedOn?: string | null;
  publishedAt?: string;
  metrics?: Record<string, any>;
  error?: string;
}
interface Affinities {
  user: string;
  runId: string | null;
  segments: Array<{ segmentId: string; affinity: number }>;
}
interface Comparison {
  runId: string;
  visibleRunId: string | null;
  publishable: boolean;
  nmi: number | null;
  sharedTopics: number;
  split: Array<{ id: string; into: string[] }>;
  merged: Array<{ id: string; from: string[] }>;
  appeared: string[];
  vanished: string[];
  people: { compared: number; dominantChanged: number };
  fine: { nmi: number | null; appeared: string[]; vanished: string[] };
}

async function queue(body: object): Promise<string> {
  const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function succeeded(id: string): Promise<Run> {
  const run = await finishedRun<Run>(t, marketerKey, id, Date.now() + 120_000);
  expect(run.status, run.error).toBe('succeeded');
  return run;
}

async function segmentIds(app: TestApp, level: 'coarse' | 'fine' = 'coarse'): Promise<{ runId: string | null; ids: string[] }> {
  const page = await getJson<{ runId: string | null; items: Array<{ id: string }> }>(
    app,
    marketerKey,
    `/v1/segments?level=${level}&limit=1000`,
  );
  return { runId: page.runId, ids: page.items.map((s) => s.id).sort() };
}

/** Every person's segment of one, read through the batch endpoint (the candidate run is compared over everyone). */
async function everyone(app: TestApp): Promise<Map<string, Affinities>> {
  const text = readFileSync(path.join(__dirname, 'cypher', 'list-user-ids.cypher'), 'utf8');
  const ids = (await app.db.driver.executeQuery(text)).records.map((r) => r.get('id') as string);
  const out = new Map<string, Affinities>();
  for (let i = 0; i < ids.length; i += 1000) {
    const res = await app.call('POST', '/v1/affinities/batch', { key: marketerKey, body: { users: ids.slice(i, i + 1000) } });
    expect(res.status).toBe(200);
    for (const doc of ((await res.json()) as { items: Affinities[] }).items) out.set(doc.user, doc);
  }
  return out;
}

async function audience(app: TestApp, segmentId: string): Promise<string[]> {
  const page = await getJson<{ items: Array<{ user: string; affinity: number }> }>(
    app,
    marketerKey,
    `/v1/segments/${segmentId}/audience?limit=1000`,
  );
  return page.items.map((m) => `${m.user}:${m.affinity}`);
}

const dominant = (doc: Affinities | undefined) => doc?.segments[0]?.segmentId ?? null;

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'in-process' });
  // A second API process: what one publishes, the other follows.
  other = await startTestApp();
  ingestKey = await t.keyFor('ingest');
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, ingestKey, [...generateProfiles(base)]);
});

afterAll(async () => {
  await other?.close();
  await t?.close();
});

describe('candidate runs', () => {
  let visible: Run;
  let candidate: Run;

  it('a run with publish: false succeeds without becoming visible: segments, affinities and audiences stay as they were', async () => {
    visible = await succeeded(await queue({ seed: 4 }));
    expect(visible).toMatchObject({ publish: true, visible: true });
    // A fourth planted community: half of its records re-import people of the first run (their CRM interests are
    // replaced), half are new people. The candidate must differ from the visible run.
    const grown = { ...base, communities: 4, users: 120, seed: 12 };
    await importProfiles(
      t,
      ingestKey,
      [...generateProfiles(grown)].map((p, i) => (i % 2 ? { ...p, externalId: `${prefix}new-${i}` } : p)),
    );

    const segmentsBefore = await segmentIds(t);
    expect(segmentsBefore.runId).toBe(visible.id);
    const peopleBefore = await everyone(t);
    const audienceBefore = await audience(t, segmentsBefore.ids[0]!);

    const id = await queue({ seed: 4, publish: false });
    candidate = await succeeded(id);
    expect(candidate).toMatchObject({ publish: false, visible: false, basedOn: visible.id });
    expect(candidate.publishedAt).toBeUndefined();
    await other.services.segmentation.visible.refresh();
    for (const app of [t, other]) {
      expect(await segmentIds(app)).toEqual(segmentsBefore);
      expect(await audience(app, segmentsBefore.ids[0]!)).toEqual(audienceBefore);
    }
    const peopleDuring = await everyone(other);
    expect(peopleDuring.size).toBe(peopleBefore.size);
    for (const [user, doc] of peopleBefore) expect(peopleDuring.get(user)).toEqual(doc);
    const runs = await getJson<{ items: Run[] }>(t, marketerKey, '/v1/segmentation/runs?limit=2');
    expect(runs.items.map((r) => [r.id, r.visible])).toEqual([
      [candidate.id, false],
      [visible.id, true],
    ]);
  });

  it('compare answers what publishing then shows: NMI, appeared and vanished ids, and whose dominant segment changes', async () => {
    const before = await segmentIds(t);
    const fineBefore = await segmentIds(t, 'fine');
    const peopleBefore = await everyone(t);
    const res = await t.call('GET', `/v1/segmentation/runs/${candidate.id}/compare`, { key: marketerKey });
    expect(res.status, await res.clone().text()).toBe(200);
    const cmp = (await res.json()) as Comparison;
    expect(cmp).toMatchObject({ runId: candidate.id, visibleRunId: visible.id, publishable: true });
    // The same figures the run recorded against the run it was prepared from.
    const stability = candidate.metrics!.stability;
    expect(cmp.nmi).toBe(stability.nmi);
    expect(cmp.split).toEqual(stability.split);
    expect(cmp.merged).toEqual(stability.merged);
    expect(cmp.appeared.length).toBeGreaterThan(0);
    expect(cmp.people.dominantChanged).toBeGreaterThan(0);

    const published = await t.call('POST', `/v1/segmentation/runs/${candidate.id}/publish`, { key: marketerKey });
    expect(published.status, await published.clone().text()).toBe(200);
    expect(await published.json()).toMatchObject({ id: candidate.id, visible: true, publish: false, publishedAt: expect.any(String) });

    const after = await segmentIds(t);
    expect(after.runId).toBe(candidate.id);
    expect([...cmp.appeared].sort()).toEqual(after.ids.filter((x) => !before.ids.includes(x)));
    expect([...cmp.vanished].sort()).toEqual(before.ids.filter((x) => !after.ids.includes(x)));
    const fineAfter = await segmentIds(t, 'fine');
    expect([...cmp.fine.appeared].sort()).toEqual(fineAfter.ids.filter((x) => !fineBefore.ids.includes(x)));
    expect([...cmp.fine.vanished].sort()).toEqual(fineBefore.ids.filter((x) => !fineAfter.ids.includes(x)));

    const peopleAfter = await everyone(t);
    let changed = 0;
    let compared = 0;
    for (const [user, doc] of peopleAfter) {
      expect(doc.runId).toBe(candidate.id);
      if (doc.segments.length > 0 || peopleBefore.get(user)!.segments.length > 0) compared++;
      if (dominant(doc) !== dominant(peopleBefore.get(user))) changed++;
    }
    expect(cmp.people.dominantChanged).toBe(changed);
    expect(cmp.people.compared).toBeGreaterThanOrEqual(compared);

    // The other API process follows the pointer within its poll.
    const deadline = Date.now() + 10_000;
    while ((await segmentIds(other)).runId !== candidate.id && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await segmentIds(other)).runId).toBe(candidate.id);

    // Publishing the visible run again changes nothing.
    const again = await t.call('POST', `/v1/segmentation/runs/${candidate.id}/publish`, { key: marketerKey });
    expect(again.status).toBe(200);
    expect((await segmentIds(t)).runId).toBe(candidate.id);
  });

  it('refuses to publish a candidate prepared against a run that is no longer visible, and runs that did not succeed', async () => {
    const stale = await succeeded(await queue({ seed: 5, publish: false }));
    expect(stale.basedOn).toBe(candidate.id);
    const newer = await succeeded(await queue({ seed: 6 }));
    expect(newer.visible).toBe(true);
    const res = await t.call('POST', `/v1/segmentation/runs/${stale.id}/publish`, { key: marketerKey });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await res.json()) as { type: string }).type).toMatch(/\/run-outdated$/);
    const cmp = (await (await t.call('GET', `/v1/segmentation/runs/${stale.id}/compare`, { key: marketerKey })).json()) as Comparison;
    expect(cmp).toMatchObject({ visibleRunId: newer.id, publishable: false });
    expect((await segmentIds(t)).runId).toBe(newer.id);

    expect((await t.call('POST', `/v1/segmentation/runs/${randomUUID()}/publish`, { key: marketerKey })).status).toBe(404);
    expect((await t.call('GET', `/v1/segmentation/runs/${randomUUID()}/compare`, { key: marketerKey })).status).toBe(404);
    const content = await t.keyFor('content');
    expect((await t.call('POST', `/v1/segmentation/runs/${stale.id}/publish`, { key: content })).status).toBe(403);
    const bad = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body: { publish: 'no' } });
    expect(bad.status).toBe(400);
  });
});
