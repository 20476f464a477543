import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfiles, plantedTopics } from '../src/demo/planted.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, segmentOfTopic, waitForRun } from './support/dashboard-seed.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';

/**
 * Time-decayed interests over a planted population of two communities. Which segments the run finds depends on
 * everyone in the database (other files' people change the communities), so the file has a database of its own.
 */

const DAY = 86_400_000;
let db: OwnNeo4j;
let t: TestApp;
let ingestKey: string;
let marketerKey: string;
const prefix = `decay${randomUUID().slice(0, 8)} `;
const opts = { users: 200, communities: 2, topicsPerCommunity: 6, interestsPerUser: 5, noise: 0.02, seed: 21, prefix, nonConsentShare: 0 };
const planted = plantedTopics(opts);
const old = planted.find((p) => p.community === 0)!.name;
const fresh = planted.find((p) => p.community === 1)!.name;
// "Today" is a fixed moment, so the figures do not depend on when the test runs.
const today = new Date(Date.now() - 3_600_000).toISOString();
const ninetyDaysAgo = new Date(Date.parse(today) - 90 * DAY).toISOString();
const person = `crm:${prefix}person`;

interface Doc {
  runId: string;
  segments: Array<{ segmentId: string; affinity: number }>;
}

async function run(body: object): Promise<string> {
  const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await waitForRun(t, marketerKey, id, Date.now() + 120_000);
  return id;
}

const affinities = (query = '') => getJson<Doc>(t, marketerKey, `/v1/users/${encodeURIComponent(person)}/affinities${query}`);

beforeAll(async () => {
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'in-process' });
  ingestKey = await t.keyFor('ingest');
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, ingestKey, [
    ...generateProfiles(opts),
    {
      externalId: `${prefix}person`,
      interests: [
        { topic: old, weight: 1, at: ninetyDaysAgo },
        { topic: fresh, weight: 1, at: today },
      ],
    },
  ]);
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

describe('time-decayed interests', () => {
  let segOld: string;
  let segFresh: string;

  it("without a half-life, an interest 90 days old weighs as much as today's: 0.5 / 0.5, whatever asOf says", async () => {
    const runId = await run({ seed: 3 });
    segOld = (await segmentOfTopic(t, marketerKey, old)).segmentId;
    segFresh = (await segmentOfTopic(t, marketerKey, fresh)).segmentId;
    expect(segOld).not.toBe(segFresh);
    const doc = await affinities();
    expect(doc.runId).toBe(runId);
    const byId = new Map(doc.segments.map((s) => [s.segmentId, s.affinity]));
    expect(byId.get(segOld)).toBe(0.5);
    expect(byId.get(segFresh)).toBe(0.5);
    expect(await affinities(`?asOf=${encodeURIComponent(new Date(Date.now() + 365 * DAY).toISOString())}`)).toEqual(doc);
  });

  it('with a 30-day half-life (crm), the same person reads 0.111 / 0.889 as of today, reproducibly', async () => {
    const runId = await run({ seed: 3, halfLifeDays: { crm: 30 }, asOf: today });
    const stored = await getJson<{ params: Record<string, unknown> }>(t, marketerKey, `/v1/segmentation/runs/${runId}`);
    expect(stored.params).toMatchObject({ halfLifeDays: { crm: 30 }, asOf: today });
    expect((await segmentOfTopic(t, marketerKey, old)).segmentId).toBe(segOld);
    expect((await segmentOfTopic(t, marketerKey, fresh)).segmentId).toBe(segFresh);
    const doc = await affinities(`?asOf=${encodeURIComponent(today)}`);
    expect(doc.runId).toBe(runId);
    const byId = new Map(doc.segments.map((s) => [s.segmentId, s.affinity]));
    expect(byId.get(segOld)).toBeCloseTo(0.111, 3);
    expect(byId.get(segFresh)).toBeCloseTo(0.889, 3);
    expect(byId.get(segOld)).toBe(0.111111);
    expect(doc.segments[0]!.segmentId).toBe(segFresh);
    // The same asOf gives the same answer, by one or in a batch; 30 days later the old interest has lost half again.
    expect(await affinities(`?asOf=${encodeURIComponent(today)}`)).toEqual(doc);
    const batch = await t.call('POST', '/v1/affinities/batch', { key: marketerKey, body: { users: [person], asOf: today } });
    expect(((await batch.json()) as { items: Doc[] }).items[0]).toEqual({ user: person, ...doc });
    const later = await affinities(`?asOf=${encodeURIComponent(new Date(Date.parse(today) + 30 * DAY).toISOString())}`);
    expect(new Map(later.segments.map((s) => [s.segmentId, s.affinity])).get(segOld)).toBeCloseTo(0.0625 / 0.5625, 5);
  });

  it('refuses bad half-lives and asOf values with problem+json 400', async () => {
    for (const body of [
      { halfLifeDays: { crm: 0 } },
      { halfLifeDays: { tv: 3 } },
      { asOf: today },
      { halfLifeDays: { crm: 1 }, asOf: 'yesterday' },
    ]) {
      const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const res = await t.call('GET', `/v1/users/${encodeURIComponent(person)}/affinities?asOf=soon`, { key: marketerKey });
    expect(res.status).toBe(400);
  });
});
