import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfiles } from '../src/demo/planted.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { finishedRun, getJson, importProfiles, type Run } from './support/dashboard-seed.js';
import { RunSchema } from '../src/segmentation/schemas.js';

// Runs are validated before they go live, parameters are bounded, and stable ids follow the lineage of visible runs
// (issue 11). Its own Neo4j: which ids a run keeps depends on everything the database holds.
const __dirname = path.dirname(fileURLToPath(import.meta.url));
let neo: OwnNeo4j;
let t: TestApp;
let marketerKey: string;
let contentKey: string;
const prefix = `val${randomUUID().slice(0, 8)} `;
const opts = { users: 240, communities: 3, topicsPerCommunity: 6, interestsPerUser: 5, noise: 0.1, seed: 11, prefix, nonConsentShare: 0 };
const someone = `crm:${prefix}u-0`;

async function queue(body: unknown): Promise<Response> {
  return t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
}

async function run(body: unknown = {}): Promise<Run> {
  const res = await queue(body);
  expect(res.status, await res.clone().text()).toBe(202);
  return finishedRun(t, marketerKey, ((await res.json()) as Run).id, Date.now() + 150_000);
}

interface SegmentList {
  runId: string | null;
  items: Array<{ id: string; label: string; topicCount: number }>;
}
interface PlantedSegment {
  id: string;
  share: number;
  topics: string[];
}

const segments = () => getJson<SegmentList>(t, contentKey, '/v1/segments?level=coarse&limit=1000');
const affinities = () =>
  getJson<{ runId: string; segments: Array<{ segmentId: string; affinity: number }> }>(
    t,
    contentKey,
    `/v1/users/${encodeURIComponent(someone)}/affinities`,
  );

async function cypher(file: string, params: Record<string, unknown>) {
  const text = readFileSync(path.join(__dirname, 'cypher', 'segmentation', file), 'utf8');
  return (await t.db.driver.executeQuery(text, params)).records.map((r) => r.toObject());
}

/** A run made by hand: visible (published, the pointer moved to it) or a candidate nobody saw. */
async function plant(runId: string, segs: PlantedSegment[], visible: boolean, like: Run, kind: string | null = null): Promise<void> {
  const metrics = {
    users: like.metrics!.users,
    segmentedUsers: like.metrics!.segmentedUsers,
    segments: segs.length,
    topics: 1,
    edges: 0,
    modularity: 0,
    durationMs: 1,
  };
  await cypher('plant-visible-run.cypher', { runId, metrics: JSON.stringify(metrics), segments: segs, visible, kind });
}

beforeAll(async () => {
  neo = await startOwnNeo4j();
  t = await startTestApp(neo.env, { applySchema: true, worker: 'process' });
  marketerKey = await t.keyFor('marketer');
  contentKey = await t.keyFor('content');
  const records = [...generateProfiles(opts)];
  for (let i = 0; i < records.length; i += 100) await importProfiles(t, await t.keyFor('ingest'), records.slice(i, i + 100));
});

afterAll(async () => {
  await t?.close();
  await neo?.stop();
});

describe('runs validated before they go live', () => {
  let live: Run;
  let liveIds: string[];

  it('a normal run succeeds and records how many people it covers', async () => {
    live = await run({ seed: 7 });
    expect(live.status, live.error).toBe('succeeded');
    expect(live.metrics!.segmentedUsers).toBeGreaterThan(0);
    expect(live.metrics!.segmentedUsers as number).toBeLessThanOrEqual(live.metrics!.users as number);
    const list = await segments();
    expect(list.runId).toBe(live.id);
    liveIds = list.items.map((s) => s.id).sort();
    expect(liveIds.length).toBeGreaterThanOrEqual(3);
    expect((await affinities()).runId).toBe(live.id);
  });

  it('refuses parameters beyond the bounds with 400 naming the field, and queues nothing', async () => {
    const beyond: Array<[string, unknown]> = [
      ['resolution', 1e-300],
      ['resolution', 1000],
      ['maxTopicsPerUser', 10_000],
      ['neighbours', 1000],
      ['neighbours', 0],
      ['relatedPerTopic', 100],
      ['minSegmentSize', 1000],
    ];
    for (const [field, value] of beyond) {
      const res = await queue({ [field]: value });
      expect(res.status, `${field}: ${value}`).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
      expect(problem.errors.map((e) => e.path)).toContain(`body.${field}`);
    }
    // The extreme run of issue 11 as a whole: refused for its resolution.
    const res = await queue({ minSupport: 1_000_000, resolution: 1e-300 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['body.resolution']);
    const runs = await getJson<{ items: Array<{ status: string }> }>(t, marketerKey, '/v1/segmentation/runs?limit=100');
    expect(runs.items.filter((r) => r.status === 'queued' || r.status === 'running')).toEqual([]);
    expect((await segments()).runId).toBe(live.id);
  });

  it('a run that finds no segments fails with the reason, and the visible run and its ids are untouched', async () => {
    const extreme = await run({ minSupport: 1_000_000 });
    expect(extreme.status).toBe('failed');
    expect(extreme.error).toMatch(/^rejected: the run found no segments/);
    expect(extreme.error).toContain(`run ${live.id} stays visible`);
    expect((extreme as Run & { visible: boolean }).visible).toBe(false);
    // As the contract describes a run: no partial `metrics`; what it measured before it was rejected is `progress`.
    const listed = await getJson(t, marketerKey, `/v1/segmentation/runs/${extreme.id}`, RunSchema);
    expect(listed.metrics).toBeUndefined();
    expect(listed.progress).toMatchObject({ segments: 0 });
    // It wrote nothing, and every reader still gets the live run.
    expect(await cypher('run-segment-topics.cypher', { runId: extreme.id })).toEqual([]);
    await t.services.segmentation.visible.refresh();
    const list = await segments();
    expect(list.runId).toBe(live.id);
    expect(list.items.map((s) => s.id).sort()).toEqual(liveIds);
    const doc = await affinities();
    expect(doc.runId).toBe(live.id);
    expect(doc.segments.length).toBeGreaterThan(0);
  });

  it('the next normal run keeps the ids', async () => {
    const next = await run({ seed: 7 });
    expect(next.status, next.error).toBe('succeeded');
    const list = await segments();
    expect(list.runId).toBe(next.id);
    expect(list.items.map((s) => s.id).sort()).toEqual(liveIds);
    live = next;
  });

  it('ids follow the lineage of visible runs only: after an odd run went live, the next run finds them again, never in an unpublished candidate', async () => {
    const real = (await cypher('run-segment-topics.cypher', { runId: live.id })) as Array<{ id: string; other: boolean; topics: string[] }>;
    const pool = real.filter((s) => !s.other).flatMap((s) => s.topics);
    const k = real.filter((s) => !s.other).length;
    // An odd run that passed validation and went live: every segment mixes topics of all the live run's segments, so
    // none overlaps a live segment enough to keep its id.
    const oddId = randomUUID();
    const odd = Array.from({ length: k }, (_, i) => ({
      id: `seg_odd${i}${randomUUID().slice(0, 6)}`,
      share: 1 / k,
      topics: pool.filter((_, j) => j % k === i),
    }));
    await plant(oddId, odd, true, live);
    // After it, a candidate nobody published (and an audience-kind run), each with the live run's very segments under
    // other ids: were they in the lineage, their ids would win (the same overlap, newer).
    const candidate = real
      .filter((s) => !s.other)
      .map((s, i) => ({ id: `seg_cand${i}${randomUUID().slice(0, 6)}`, share: 1 / k, topics: s.topics }));
    await plant(randomUUID(), candidate, false, live);
    const audience = real
      .filter((s) => !s.other)
      .map((s, i) => ({ id: `seg_aud${i}${randomUUID().slice(0, 6)}`, share: 1 / k, topics: s.topics }));
    await plant(randomUUID(), audience, false, live, 'audience');
    await t.services.segmentation.visible.refresh();
    expect((await segments()).runId).toBe(oddId);

    const next = await run({ seed: 7 });
    expect(next.status, next.error).toBe('succeeded');
    const list = await segments();
    expect(list.runId).toBe(next.id);
    expect(list.items.map((s) => s.id).sort()).toEqual(liveIds);
    const stability = next.metrics!.stability as { previousRunId: string; restored: string[] };
    expect(stability.previousRunId).toBe(oddId);
    expect([...stability.restored].sort()).toEqual(liveIds);
    for (const id of list.items.map((s) => s.id)) expect(id).not.toMatch(/^seg_(cand|aud)/);
  });
});
