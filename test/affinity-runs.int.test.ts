import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { getJson, importProfiles, runSegmentation, sleep } from './support/dashboard-seed.js';
import type { SegmentOut } from '../src/segmentation/pipeline.js';

/**
 * A new run's affinities become visible together with its segments, never before: while a run has written its
 * segments but not succeeded, every reader sees the previous run; once it has succeeded, every reader of a process
 * sees the new one at the same moment (segments, topics, segments of one, audiences), and other processes within a
 * second. Nothing per person is written for a run: a segment of one is computed on read.
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

let db: OwnNeo4j;
let t: TestApp;
let other: TestApp | undefined;
let content: string;
let marketer: string;
let ingest: string;
const p = randomUUID().slice(0, 8);
const A = [1, 2, 3, 4].map((i) => `Rowing ${p} ${i}`);
const B = [1, 2, 3, 4].map((i) => `Pottery ${p} ${i}`);
const crm = (id: string) => `crm:${p}-${id}`;
const profile = (id: string, topics: string[], weight = 1) => ({
  externalId: `${p}-${id}`,
  interests: topics.map((topic) => ({ topic, weight })),
});

let firstRun: string;
let segA: string;

beforeAll(async () => {
  // Own Neo4j: the planted groups are five people each, and a run segments everyone in the database; on the shared
  // instance other files' people raise the support a topic needs and the groups merge.
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'process' });
  [content, marketer, ingest] = await Promise.all([t.keyFor('content'), t.keyFor('marketer'), t.keyFor('ingest')]);
  await importProfiles(t, ingest, [
    ...[0, 1, 2, 3, 4].map((i) =>
      profile(
        `a${i}`,
        A.filter((_, k) => k !== i % 4),
      ),
    ),
    ...[0, 1, 2, 3, 4].map((i) =>
      profile(
        `b${i}`,
        B.filter((_, k) => k !== i % 4),
      ),
    ),
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
  await db?.stop();
});

const affinities = (user: string, app = t, key = content) =>
  getJson<Affinities>(app, key, `/v1/users/${encodeURIComponent(user)}/affinities`);

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

const visibleRun = async (app = t, key = marketer) => (await getJson<{ runId: string }>(app, key, '/v1/segments')).runId;

/**
 * A second run that has written its segments (the first run's, with every share halved: lifts double, which is how
 * a reader shows which run it follows) and is still running. Built through the repository so the test does not
 * depend on where runs execute.
 */
async function preparedRun(): Promise<string> {
  const repo = t.services.segmentation.repository;
  const id = randomUUID();
  // Queued for an engine no worker runs, so only this test claims it.
  expect(await repo.createRun(id, { test: true }, 'affinity-runs-test')).not.toBeNull();
  expect((await repo.claimNextRun('affinity-runs test', 'affinity-runs-test'))?.id).toBe(id);
  const first = await getJson<{ items: Array<{ id: string; label: string; share: number; userCount: number; topicCount: number }> }>(
    t,
    marketer,
    '/v1/segments?limit=1000',
  );
  const topics = await repo.runSegmentTopics(firstRun);
  const segments: SegmentOut[] = first.items.map((s) => ({
    id: s.id,
    level: 'coarse',
    label: `${s.label} (second run)`,
    other: false,
    topicCount: s.topicCount,
    userCount: s.userCount,
    share: s.share / 2,
    parentId: null,
    topTopics: [],
    topics: topics.find((x) => x.id === s.id)!.topics.map((topicId) => ({ id: topicId, score: 1 })),
    quality: null,
  }));
  await repo.writeSegments(id, segments, []);
  return id;
}

describe('switching to a new segmentation run', () => {
  it('serves the previous run everywhere until the new one succeeds, then the new one everywhere', async () => {
    const before = await affinities(crm('a0'));
    expect(before.runId).toBe(firstRun);
    const audienceBefore = await audience();
    expect(audienceBefore.map((m) => m.user)).toContain(crm('quiet'));

    await importProfiles(
      t,
      ingest,
      [0, 1, 2].map((i) =>
        profile(
          `late${i}`,
          A.filter((_, k) => k !== i % 4),
        ),
      ),
    );
    expect((await affinities(crm('late0'))).runId).toBe(firstRun);

    const secondRun = await preparedRun();
    await t.services.segmentation.visible.refresh();

    // Its segments are written; none of it may show.
    expect(await visibleRun()).toBe(firstRun);
    expect((await affinities(crm('a0'))).runId).toBe(firstRun);
    const userId = (await t.services.users.resolve(crm('b1')))!;
    expect((await affinities(userId)).runId).toBe(firstRun);
    const batch = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [crm('a0'), crm('b2'), crm('mix')] } });
    expect(((await batch.json()) as { items: Affinities[] }).items.map((i) => i.runId)).toEqual([firstRun, firstRun, firstRun]);
    const late = await Promise.all([0, 1, 2].map((i) => affinities(crm(`late${i}`))));
    const withLate = [
      ...audienceBefore,
      ...late.map((d) => ({ user: d.user, affinity: d.segments[0]!.affinity, lift: d.segments[0]!.lift })),
    ];
    expect(await audience()).toEqual(withLate.sort((x, y) => x.user.localeCompare(y.user)));
    expect(await ruleAudience()).toEqual(await audience());

    // A process started now (it loads everyone from the database) sees the previous run too.
    other = await startTestApp(db.env);
    // Asked at once, before its first poll could have finished: it waits for that check, never answers runId null.
    const otherContent = (await other.services.apiKeys.create('other content', 'content')).key;
    expect((await affinities(crm('a0'), other, otherContent)).runId).toBe(firstRun);

    // Changes between runs apply at once.
    const ev = await t.call('POST', '/v1/events', {
      key: ingest,
      body: { events: [{ id: `${p}-ev`, user: crm('quiet'), topic: B[1], kind: 'like', weight: 2, at: new Date().toISOString() }] },
    });
    expect(ev.status).toBe(202);
    const quietNow = await affinities(crm('quiet'));
    expect(quietNow.runId).toBe(firstRun);
    expect(quietNow.segments.flatMap((s) => s.topics)).toContain(B[1]);
    const leaverId = (await t.services.users.resolve(crm('leaver')))!;
    await t.services.privacy.consent.setByPerson(leaverId, { segmentation: false });
    expect(await affinities(crm('leaver'))).toEqual({ user: crm('leaver'), runId: firstRun, segments: [], suggestedTopics: [] });
    expect((await t.call('DELETE', `/v1/users/${encodeURIComponent(crm('erased'))}`, { key: t.adminKey })).status).toBe(204);
    expect((await t.call('GET', `/v1/users/${encodeURIComponent(crm('erased'))}/affinities`, { key: content })).status).toBe(404);
    expect((await audience()).map((m) => m.user)).not.toContain(crm('leaver'));

    // The run succeeds: this process switches everything at once.
    const completed = await t.services.segmentation.repository.completeRun(
      secondRun,
      { segments: audienceBefore.length },
      { publish: true, basedOn: firstRun },
    );
    expect(completed).toEqual({ visible: true });
    await t.services.segmentation.visible.refresh();
    expect(await visibleRun()).toBe(secondRun);
    const a0 = await affinities(crm('a0'));
    expect(a0.runId).toBe(secondRun);
    expect(a0.segments[0]!.segmentId).toBe(segA);
    expect(a0.segments[0]!.affinity).toBe(before.segments[0]!.affinity);
    expect(a0.segments[0]!.lift).toBeCloseTo(before.segments[0]!.lift * 2, 3);
    const after = await audience();
    expect(after.map((m) => m.user)).not.toContain(crm('leaver'));
    expect(after.map((m) => m.user)).not.toContain(crm('erased'));
    const a0After = after.find((m) => m.user === crm('a0'))!;
    expect(a0After).toEqual({ user: crm('a0'), affinity: a0.segments[0]!.affinity, lift: a0.segments[0]!.lift });
    expect(await ruleAudience()).toEqual(after);
    const quiet = await affinities(crm('quiet'));
    expect(quiet.runId).toBe(secondRun);
    expect(quiet.segments.flatMap((s) => s.topics)).toContain(B[1]);
    expect(await affinities(crm('leaver'))).toEqual({ user: crm('leaver'), runId: secondRun, segments: [], suggestedTopics: [] });
    expect((await t.call('GET', `/v1/users/${encodeURIComponent(crm('erased'))}/affinities`, { key: content })).status).toBe(404);

    // The other process notices by itself (it polls), within a second.
    const seenBy = Date.now() + 1500;
    let seen: string | null = null;
    while (Date.now() < seenBy) {
      seen = (await affinities(crm('a0'), other, otherContent)).runId;
      if (seen === secondRun) break;
      await sleep(50);
    }
    expect(seen).toBe(secondRun);
    expect(await visibleRun(other, (await other.services.apiKeys.create('other marketer', 'marketer')).key)).toBe(secondRun);
  }, 120_000);
});
