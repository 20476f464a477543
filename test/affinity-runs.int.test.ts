import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { finishedRun, getJson, importProfiles, runSegmentation, sleep } from './support/dashboard-seed.js';

/**
 * A new run's affinities become visible together with its segments, never before: while the run is in its affinity
 * phase (held there by a runCompleted handler registered after the affinity feature's), every reader still sees the
 * previous run; once it has succeeded, every reader sees the new one.
 */

interface Affinities {
  user: string;
  runId: string | null;
  segments: Array<{ segmentId: string; affinity: number; lift: number; topics: string[] }>;
}
interface Member {
  user: string;
  affinity: number;
  lift: number;
}

let t: TestApp;
let other: TestApp | undefined;
let content: string;
let marketer: string;
let ingest: string;
const p = randomUUID().slice(0, 8);
const A = [1, 2, 3, 4].map((i) => `Rowing ${p} ${i}`);
const B = [1, 2, 3, 4].map((i) => `Pottery ${p} ${i}`);
const crm = (id: string) => `crm:${p}-${id}`;
const profile = (id: string, topics: string[], weight = 1) => ({ externalId: `${p}-${id}`, interests: topics.map((topic) => ({ topic, weight })) });

let firstRun: string;
let segA: string;

beforeAll(async () => {
  t = await startTestApp();
  [content, marketer, ingest] = await Promise.all([t.keyFor('content'), t.keyFor('marketer'), t.keyFor('ingest')]);
  await importProfiles(t, ingest, [
    ...[0, 1, 2, 3, 4].map((i) => profile(`a${i}`, A.filter((_, k) => k !== i % 4))),
    ...[0, 1, 2, 3, 4].map((i) => profile(`b${i}`, B.filter((_, k) => k !== i % 4))),
    profile('mix', [A[0]!, B[0]!]),
    profile('quiet', [A[1]!, A[2]!]),
    profile('leaver', [A[0]!, A[3]!]),
    profile('erased', [A[1]!, A[3]!]),
  ]);
  firstRun = (await runSegmentation(t, marketer)).id;
  segA = (await affinities(crm('a0'))).segments[0]!.segmentId;
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

const affinities = (user: string, app = t) => getJson<Affinities>(app, content, `/v1/users/${encodeURIComponent(user)}/affinities`);

async function audience(): Promise<Member[]> {
  const page = await getJson<{ items: Member[] }>(t, marketer, `/v1/segments/${encodeURIComponent(segA)}/audience?limit=1000`);
  return page.items.filter((m) => m.user.startsWith(`crm:${p}-`)).sort((x, y) => x.user.localeCompare(y.user));
}

async function ruleAudience(): Promise<Member[]> {
  const res = await t.call('POST', '/v1/audiences/query', { key: marketer, body: { where: { segment: segA }, limit: 1000 } });
  expect(res.status).toBe(200);
  const items = ((await res.json()) as { items: Member[] }).items;
  return items.filter((m) => m.user.startsWith(`crm:${p}-`)).sort((x, y) => x.user.localeCompare(y.user));
}

const visibleRun = async () => (await getJson<{ runId: string }>(t, marketer, '/v1/segments')).runId;

describe('switching to a new segmentation run', () => {
  it('serves the previous run everywhere during the affinity phase and the new one everywhere after it', async () => {
    // Read before the run, so these documents sit in the in-process cache.
    const cachedBefore = await affinities(crm('a0'));
    expect(cachedBefore.runId).toBe(firstRun);
    const audienceBefore = await audience();
    expect(audienceBefore.map((m) => m.user)).toContain(crm('quiet'));

    // Twice as many rowers since the first run: segment A's share of the population grows, so the new run's lift
    // for the same affinity is lower. That is how an audience shows which run it was read from.
    await importProfiles(t, ingest, [0, 1, 2, 3, 4, 5, 6].map((i) => profile(`late${i}`, A.filter((_, k) => k !== i % 4))));
    const lateBefore = await affinities(crm('late0'));
    expect(lateBefore.runId).toBe(firstRun);

    let reached!: () => void;
    const inAffinityPhase = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = true;
    t.services.hooks.on('runCompleted', async () => {
      if (!holding) return;
      reached();
      await gate;
    });

    const res = await t.call('POST', '/v1/segmentation/runs', { key: marketer, body: {} });
    expect(res.status).toBe(202);
    const secondRun = ((await res.json()) as { id: string }).id;
    try {
      await inAffinityPhase;

      // Everyone's new documents and AFFINITY edges are written by now; none of it may show.
      expect(await visibleRun()).toBe(firstRun);
      expect((await affinities(crm('a0'))).runId).toBe(firstRun);
      const userId = (await t.services.ingest.users.resolve(crm('b1')))!;
      expect((await affinities(userId)).runId).toBe(firstRun); // not cached: read from the database
      const batch = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [crm('a0'), crm('b2'), crm('mix')] } });
      expect(((await batch.json()) as { items: Affinities[] }).items.map((i) => i.runId)).toEqual([firstRun, firstRun, firstRun]);
      expect(await audience()).toEqual(await audienceWithLate(audienceBefore));
      expect(await ruleAudience()).toEqual(await audience());

      // A process that did not run it (cold cache, warmed from the database) sees the previous run too.
      other = await startTestApp();
      const otherContent = (await other.services.apiKeys.create('other content', 'content')).key;
      const fromOther = await getJson<Affinities>(other, otherContent, `/v1/users/${encodeURIComponent(crm('a0'))}/affinities`);
      expect(fromOther.runId).toBe(firstRun);

      // Changes between runs keep working, and reach both runs' documents.
      const ev = await t.call('POST', '/v1/events', {
        key: ingest,
        body: { events: [{ id: `${p}-ev`, user: crm('quiet'), topic: B[1], kind: 'like', weight: 2, at: new Date().toISOString() }] },
      });
      expect(ev.status).toBe(202);
      const quietNow = await affinities(crm('quiet'));
      expect(quietNow.runId).toBe(firstRun);
      expect(quietNow.segments.flatMap((s) => s.topics)).toContain(B[1]);

      // Consent withdrawn and erasure take effect at once (neither waits for the run).
      const leaverId = (await t.services.ingest.users.resolve(crm('leaver')))!;
      await t.services.ingest.users.setConsent(leaverId, false);
      expect(await affinities(crm('leaver'))).toEqual({ user: crm('leaver'), runId: firstRun, segments: [], suggestedTopics: [] });
      expect((await t.call('DELETE', `/v1/users/${encodeURIComponent(crm('erased'))}`, { key: t.adminKey })).status).toBe(204);
      expect((await t.call('GET', `/v1/users/${encodeURIComponent(crm('erased'))}/affinities`, { key: content })).status).toBe(404);
      expect((await audience()).map((m) => m.user)).not.toContain(crm('leaver'));
    } finally {
      holding = false;
      release();
    }

    const done = await finishedRun(t, marketer, secondRun);
    expect(done.status).toBe('succeeded');
    await t.services.segmentation.runs.idle();

    expect(await visibleRun()).toBe(secondRun);
    // The cached document of the first run is gone with the switch.
    const a0 = await affinities(crm('a0'));
    expect(a0.runId).toBe(secondRun);
    expect(a0.segments[0]!.segmentId).toBe(segA); // ids are stable across runs
    const after = await audience();
    expect(after.map((m) => m.user)).not.toContain(crm('leaver'));
    expect(after.map((m) => m.user)).not.toContain(crm('erased'));
    const a0After = after.find((m) => m.user === crm('a0'))!;
    const a0Before = audienceBefore.find((m) => m.user === crm('a0'))!;
    expect(a0After.affinity).toBe(a0Before.affinity);
    expect(a0After.lift).toBeLessThan(a0Before.lift);
    expect(a0After.lift).toBeCloseTo(a0.segments[0]!.lift, 4);
    expect(await ruleAudience()).toEqual(after);

    // The change made during the affinity phase is in the new run's document too; the withdrawal as well.
    const quiet = await affinities(crm('quiet'));
    expect(quiet.runId).toBe(secondRun);
    expect(quiet.segments.flatMap((s) => s.topics)).toContain(B[1]);
    expect(await affinities(crm('leaver'))).toEqual({ user: crm('leaver'), runId: secondRun, segments: [], suggestedTopics: [] });
    expect((await t.call('GET', `/v1/users/${encodeURIComponent(crm('erased'))}/affinities`, { key: content })).status).toBe(404);

    // Once the documents are moved into place (in the background), reads from the database still give the new run.
    await t.services.affinity.service.settled();
    const b2Id = (await t.services.ingest.users.resolve(crm('b2')))!;
    expect((await affinities(b2Id)).runId).toBe(secondRun);

    // The other process notices the newer run by itself (it polls) and drops what it had cached.
    const otherContent = (await other!.services.apiKeys.create('other content 2', 'content')).key;
    const deadline = Date.now() + 15_000;
    let seen: string | null = null;
    while (Date.now() < deadline) {
      seen = (await getJson<Affinities>(other!, otherContent, `/v1/users/${encodeURIComponent(crm('a0'))}/affinities`)).runId;
      if (seen === secondRun) break;
      await sleep(250);
    }
    expect(seen).toBe(secondRun);
  }, 180_000);
});

/** The first run's audience plus the rowers imported after it (incremental updates give them the first run's edges). */
async function audienceWithLate(before: Member[]): Promise<Member[]> {
  const late = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => affinities(crm(`late${i}`))));
  const members = late.map((d) => ({ user: d.user, affinity: d.segments[0]!.affinity, lift: d.segments[0]!.lift }));
  return [...before, ...members].sort((x, y) => x.user.localeCompare(y.user));
}
