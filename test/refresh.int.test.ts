import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfiles } from '../src/demo/planted.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { getJson, importProfiles, sleep, waitForRun } from './support/dashboard-seed.js';

let t: TestApp;
let ingestKey: string;
let marketerKey: string;
const prefix = `refr${randomUUID().slice(0, 8)} `;
const opts = { users: 300, communities: 3, topicsPerCommunity: 6, interestsPerUser: 5, noise: 0.05, seed: 31, prefix, nonConsentShare: 0 };

interface Run {
  id: string;
  status: string;
  trigger: string;
  createdAt: string;
}
interface Policy {
  schedule: string | null;
  driftThreshold: number | null;
  nextRunAt: string | null;
  drift: { since: string; people: number; changed: number; share: number } | null;
  lastTrigger: string | null;
  lastRunId: string | null;
  lastSkipped: string | null;
}

const runs = async () => (await getJson<{ items: Run[] }>(t, marketerKey, '/v1/segmentation/runs?limit=20')).items;
const policy = () => getJson<Policy>(t, marketerKey, '/v1/segmentation/refresh-policy');

async function setPolicy(body: object): Promise<Policy> {
  const res = await t.call('PUT', '/v1/segmentation/refresh-policy', { key: marketerKey, body });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Policy;
}

/** Polls until a run with this trigger, created after `after`, shows up; every poll sees at most one active run. */
async function awaitTriggered(trigger: string, after: number, withinMs: number): Promise<Run> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const list = await runs();
    expect(list.filter((r) => r.status === 'queued' || r.status === 'running').length).toBeLessThanOrEqual(1);
    const run = list.find((r) => r.trigger === trigger && Date.parse(r.createdAt) >= after);
    if (run) return run;
    if (Date.now() > deadline) throw new Error(`no ${trigger} run within ${withinMs} ms`);
    await sleep(500);
  }
}

/** Re-imports `n` of this file's people with interests they did not have: their interests changed. */
async function changePeople(from: number, n: number): Promise<void> {
  const records = Array.from({ length: n }, (_, i) => ({
    externalId: `${prefix}u-${from + i}`,
    interests: [{ topic: `${prefix}changed ${(from + i) % 7}`, weight: 1 }],
  }));
  for (let i = 0; i < records.length; i += 500) await importProfiles(t, ingestKey, records.slice(i, i + 500));
}

// Drift is a share of everyone in the database: on the shared instance it would count every other file's people.
let db: OwnNeo4j;
// How often the app re-reads the policy and checks the drift (REFRESH_CHECK_MS, 10 s by default): the waits below are
// counted in checks, so a short interval keeps what they assert and spares the file half a minute of sleeping.
const CHECK_MS = 2_000;

beforeAll(async () => {
  db = await startOwnNeo4j();
  t = await startTestApp({ ...db.env, REFRESH_CHECK_MS: String(CHECK_MS) }, { applySchema: true, worker: 'in-process' });
  ingestKey = await t.keyFor('ingest');
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, ingestKey, [...generateProfiles(opts)]);
});

afterAll(async () => {
  // The policy lives in the database every test file shares: leave it off.
  if (t) await setPolicy({ schedule: null, driftThreshold: null });
  await t?.close();
  await db?.stop();
});

describe('refresh policy', () => {
  it('a cron schedule starts runs by itself, one at a time, until it is turned off', async () => {
    const before = Date.now();
    const set = await setPolicy({ schedule: '*/2 * * * * *', driftThreshold: null, run: { seed: 2 } });
    expect(set).toMatchObject({ schedule: '*/2 * * * * *', driftThreshold: null, lastSkipped: null });
    expect(Date.parse(set.nextRunAt!) - Date.now()).toBeLessThanOrEqual(2_100);
    const run = await awaitTriggered('schedule', before - 1000, 30_000);
    const done = await waitForRun(t, marketerKey, run.id, Date.now() + 120_000);
    expect(done.status).toBe('succeeded');
    expect((await getJson<{ params: { seed: number } }>(t, marketerKey, `/v1/segmentation/runs/${run.id}`)).params.seed).toBe(2);
    expect((await policy()).lastTrigger).toBe('schedule');

    const off = await setPolicy({ schedule: null, driftThreshold: null });
    expect(off.nextRunAt).toBeNull();
    await sleep(2_500);
    const count = (await runs()).length;
    await sleep(4_500);
    expect((await runs()).length).toBe(count);
  });

  it('refuses schedules croner does not accept, and bad thresholds, with problem+json 400', async () => {
    for (const body of [
      { schedule: 'every day', driftThreshold: null },
      { schedule: '0 3 * * *', timezone: 'Mars/Olympus', driftThreshold: null },
      { schedule: null, driftThreshold: 1.5 },
      { schedule: null, driftThreshold: 0.1, run: { publish: 'yes' } },
      { driftThreshold: 0.1 },
    ]) {
      const res = await t.call('PUT', '/v1/segmentation/refresh-policy', { key: marketerKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const content = await t.keyFor('content');
    expect((await t.call('GET', '/v1/segmentation/refresh-policy', { key: content })).status).toBe(403);
  });

  it('a drift of 6% of people under a 5% threshold starts a run within 60 s; 4% does not', async () => {
    const visible = await getJson<{ runId: string }>(t, marketerKey, '/v1/segments');
    const baseline = await setPolicy({ schedule: null, driftThreshold: 0.05, run: {} });
    expect(baseline.drift).not.toBeNull();
    const { people, changed } = baseline.drift!;
    const four = Math.floor(0.04 * people) - changed;
    const six = Math.ceil(0.06 * people) - changed;
    expect(six).toBeLessThanOrEqual(opts.users);
    expect(four).toBeGreaterThan(0);

    const started = Date.now();
    await changePeople(0, four);
    // Two checks of the policy see 4%: nothing starts.
    await sleep(2 * CHECK_MS + 1_000);
    const at4 = await policy();
    expect(at4.drift!.share).toBeGreaterThanOrEqual(0.035);
    expect(at4.drift!.share).toBeLessThan(0.05);
    expect((await runs()).filter((r) => Date.parse(r.createdAt) >= started)).toEqual([]);

    const at = Date.now();
    await changePeople(four, six - four);
    const share = (await policy()).drift!.share;
    expect(share).toBeGreaterThanOrEqual(0.06);
    expect(share).toBeLessThan(0.07);
    const run = await awaitTriggered('drift', at - 1000, 60_000);
    const done = await waitForRun(t, marketerKey, run.id, Date.now() + 120_000);
    expect(done.status).toBe('succeeded');
    expect((await getJson<{ runId: string }>(t, marketerKey, '/v1/segments')).runId).not.toBe(visible.runId);
    // The new visible run is the new baseline: the drift is gone and no second run follows.
    const after = await policy();
    expect(after).toMatchObject({ lastTrigger: 'drift', lastRunId: run.id });
    expect(after.drift!.share).toBeLessThan(0.05);
    await sleep(CHECK_MS + 1_000);
    expect((await runs()).filter((r) => r.trigger === 'drift' && Date.parse(r.createdAt) >= at - 1000).map((r) => r.id)).toEqual([run.id]);
  });
});
