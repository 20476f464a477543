import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateProfiles, plantedTopics } from '../src/demo/planted.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { finishedRun } from './support/dashboard-seed.js';
import type { SegmentOut } from '../src/segmentation/pipeline.js';

let db: OwnNeo4j;
let t: TestApp;
let ingestKey: string;
let marketerKey: string;
let contentKey: string;
// Topic names of this file start with a random prefix, so assertions never depend on other files' data.
const prefix = `seg${randomUUID().slice(0, 8)} `;
const opts = { users: 240, communities: 3, topicsPerCommunity: 6, interestsPerUser: 5, noise: 0.1, seed: 5, prefix, nonConsentShare: 0 };
const planted = plantedTopics(opts);

interface Run {
  id: string;
  status: string;
  params: Record<string, unknown>;
  error?: string;
  metrics?: Record<string, any>;
}

async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

function waitForRun(id: string, app = t): Promise<Run> {
  return finishedRun<Run>(app, marketerKey, id, Date.now() + 120_000);
}

async function startRun(body: unknown = {}, app = t): Promise<Run> {
  const res = await app.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
  expect(res.status).toBe(202);
  const accepted = await json<Run>(res);
  expect(['queued', 'running']).toContain(accepted.status);
  return waitForRun(accepted.id, app);
}

async function topicIds(q: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const res = await t.call('GET', `/v1/topics?q=${encodeURIComponent(q)}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, {
      key: contentKey,
    });
    expect(res.status).toBe(200);
    const page = await json<{ items: Array<{ id: string; name: string }>; nextCursor?: string }>(res);
    for (const item of page.items) out.set(item.name, item.id);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function segmentOf(topicId: string): Promise<string | null> {
  const res = await t.call('GET', `/v1/topics/${topicId}`, { key: contentKey });
  expect(res.status).toBe(200);
  return (await json<{ segmentId: string | null }>(res)).segmentId;
}

beforeAll(async () => {
  // In process: the failure test below makes the worker's own repository fail, and the tests of runs left by dead
  // processes plant stale runs that a worker process's periodic recovery could take first.
  // Own Neo4j: the tests check the run's whole topic graph and its segments, which cover everyone in the database.
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'in-process' });
  ingestKey = await t.keyFor('ingest');
  marketerKey = await t.keyFor('marketer');
  contentKey = await t.keyFor('content');
  const consenting = [...generateProfiles(opts)];
  // People who refused segmentation: their (only) topics must not be segmented nor counted.
  const refusing = Array.from({ length: 20 }, (_, i) => ({
    externalId: `${prefix}no-${i}`,
    interests: ['Refused A', 'Refused B', 'Refused C'].map((n) => ({ topic: `${prefix}${n}`, weight: 1 })),
    consent: { segmentation: false },
  }));
  const res = await t.call('POST', '/v1/imports/profiles', {
    key: ingestKey,
    headers: { 'content-type': 'application/x-ndjson' },
    raw: [...consenting, ...refusing].map((r) => JSON.stringify(r)).join('\n'),
  });
  expect(res.status).toBe(200);
  expect((await json<{ imported: number }>(res)).imported).toBe(260);
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

describe('segmentation runs', () => {
  let first: Run;
  let segmentsOfGroup: string[];

  it('runs in the background (202), refuses a second run while one is active (409), then succeeds with metrics', async () => {
    const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body: { seed: 3, weighting: 'npmi' } });
    expect(res.status).toBe(202);
    const accepted = await json<Run>(res);
    const again = await t.call('POST', '/v1/segmentation/runs', { key: t.adminKey, body: {} });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await json(again)).detail).toContain(accepted.id);

    first = await waitForRun(accepted.id);
    expect(first.status).toBe('succeeded');
    expect(first.params).toMatchObject({ seed: 3, weighting: 'npmi', resolution: 1 });
    const m = first.metrics!;
    expect(m.topics).toBeGreaterThanOrEqual(18);
    expect(m.edges).toBeGreaterThan(0);
    expect(m.segments).toBeGreaterThanOrEqual(3);
    expect(m.modularity).toBeGreaterThan(0);
    expect(m.durationMs).toBeGreaterThan(0);
    expect(Object.keys(m.phases)).toEqual(['projectMs', 'detectMs', 'writeMs']);

    const list = await json<{ items: Run[] }>(await t.call('GET', '/v1/segmentation/runs?limit=5', { key: marketerKey }));
    expect(list.items[0]!.id).toBe(first.id);
  });

  it('puts each planted group in one segment and different groups in different segments', async () => {
    const ids = await topicIds(prefix);
    segmentsOfGroup = [];
    for (let c = 0; c < 3; c++) {
      const segs = new Set<string | null>();
      for (const topic of planted.filter((p) => p.community === c)) segs.add(await segmentOf(ids.get(topic.name)!));
      expect(segs.size).toBe(1);
      const [seg] = [...segs];
      expect(seg).toMatch(/^seg_/);
      segmentsOfGroup.push(seg!);
    }
    expect(new Set(segmentsOfGroup).size).toBe(3);
  });

  it('describes segments: label and top topics from their own topics, sizes, topics list, run metrics', async () => {
    const ids = await topicIds(prefix);
    const listed = await json<{ runId: string; items: any[] }>(await t.call('GET', '/v1/segments?limit=1000', { key: contentKey }));
    expect(listed.runId).toBe(first.id);
    for (let c = 0; c < 3; c++) {
      const names = new Set(planted.filter((p) => p.community === c).map((p) => p.name));
      const item = listed.items.find((s) => s.id === segmentsOfGroup[c]);
      expect(item).toBeDefined();
      expect(item.level).toBe('coarse');
      expect(item.topTopics.length).toBeGreaterThan(0);
      for (const top of item.topTopics) expect(names.has(top.name)).toBe(true);
      expect(names.has(item.label.split(' · ')[0])).toBe(true);
      expect(item.topicCount).toBe(6);
      expect(item.userCount).toBeGreaterThan(20);

      const detail = await json(await t.call('GET', `/v1/segments/${item.id}`, { key: marketerKey }));
      expect(detail).toMatchObject({ id: item.id, label: item.label, runId: first.id, metrics: { segments: first.metrics!.segments } });

      const topics = await json<{ items: any[] }>(await t.call('GET', `/v1/segments/${item.id}/topics`, { key: contentKey }));
      expect(topics.items.map((x) => x.name).sort()).toEqual([...names].sort());
      expect(topics.items[0].score).toBe(1);
      expect(topics.items.every((x: any) => x.score > 0 && x.score <= 1 && ids.get(x.name) === x.id)).toBe(true);
    }
    const fine = await json<{ items: any[] }>(await t.call('GET', '/v1/segments?level=fine&limit=1000', { key: contentKey }));
    expect(fine.items.length).toBeGreaterThanOrEqual(3);
    const parents = new Set(listed.items.map((s) => s.id));
    for (const s of fine.items) expect(parents.has(s.parentId)).toBe(true);
  });

  it('answers topic lookups with segment, audience size and related topics of the same group', async () => {
    const ids = await topicIds(prefix);
    const group0 = planted.filter((p) => p.community === 0);
    const res = await t.call('GET', `/v1/topics/${ids.get(group0[0]!.name)}`, { key: contentKey });
    const topic = await json(res);
    expect(topic).toMatchObject({ name: group0[0]!.name, category: group0[0]!.category, segmentId: segmentsOfGroup[0] });
    expect(topic.userCount).toBeGreaterThan(10);
    expect(topic.related.length).toBeGreaterThan(0);
    const groupNames = new Set(group0.map((p) => p.name));
    expect(groupNames.has(topic.related[0].name)).toBe(true);
    // search is case- and whitespace-insensitive
    const upper = await topicIds(`  ${prefix.toUpperCase().trim()}   ${group0[0]!.name.slice(prefix.length).toUpperCase()}`);
    expect([...upper.keys()]).toContain(group0[0]!.name);
  });

  it('leaves out people who refused segmentation', async () => {
    const ids = await topicIds(`${prefix}Refused`);
    expect(ids.size).toBe(3);
    for (const id of ids.values()) {
      const topic = await json(await t.call('GET', `/v1/topics/${id}`, { key: contentKey }));
      expect(topic.segmentId).toBeNull();
      expect(topic.userCount).toBe(0);
    }
  });

  it('serves the whole topic graph of the run in one answer: topics with their segment, links within groups', async () => {
    const res = await t.call('GET', '/v1/segments/graph', { key: contentKey });
    expect(res.status).toBe(200);
    const g = await json<{
      runId: string;
      nodes: Array<{ id: string; name: string; segmentId: string; score: number }>;
      edges: Array<{ source: string; target: string; weight: number }>;
    }>(res);
    expect(g.runId).toBe(first.id);
    const byName = new Map(g.nodes.filter((n) => n.name.startsWith(prefix)).map((n) => [n.name, n]));
    for (const topic of planted) expect(byName.get(topic.name)?.segmentId).toBe(segmentsOfGroup[topic.community]);
    expect(byName.has(`${prefix}Refused A`)).toBe(false);
    // Links of this file's topics: each pair once, and most of them inside a planted group.
    const mine = new Set([...byName.values()].map((n) => n.id));
    const groupOf = new Map([...byName.values()].map((n) => [n.id, n.segmentId]));
    const links = g.edges.filter((e) => mine.has(e.source) && mine.has(e.target));
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links.map((e) => [e.source, e.target].sort().join('|'))).size).toBe(links.length);
    const inside = links.filter((e) => groupOf.get(e.source) === groupOf.get(e.target)).length;
    expect(inside / links.length).toBeGreaterThan(0.8);
    const nodeIds = new Set(g.nodes.map((n) => n.id));
    expect(g.edges.every((e) => nodeIds.has(e.source) && nodeIds.has(e.target))).toBe(true);
    expect((await t.call('GET', '/v1/segments/graph', { key: ingestKey })).status).toBe(403);
  });

  it('reproduces the previous run for the same seed and data: same ids, stability 1, nothing split, merged or new', async () => {
    // The database streams users and topics in whatever order it likes; the run must not depend on it.
    const second = await startRun({ seed: 3, weighting: 'npmi' });
    expect(second.status).toBe('succeeded');
    for (const [level, s] of [
      ['coarse', second.metrics!.stability],
      ['fine', second.metrics!.stabilityFine],
    ] as const) {
      expect(s.previousRunId).toBe(first.id);
      expect(s.sharedTopics).toBe(first.metrics!.topics);
      expect(s.nmi).toBe(1);
      expect(s.split).toEqual([]);
      expect(s.merged).toEqual([]);
      expect(s.appeared).toEqual([]);
      expect(s.vanished).toEqual([]);
      expect(s.segments.every((x: any) => x.overlap === 1 && x.previousId === x.id)).toBe(true);
      expect(s.segments.length).toBe(level === 'coarse' ? first.metrics!.segments : first.metrics!.fineSegments);
    }
    expect(second.metrics!.modularity).toBe(first.metrics!.modularity);
  });

  it('keeps segment ids on the next run and records its stability against the previous run', async () => {
    const previous = await json<{ runId: string }>(await t.call('GET', '/v1/segments', { key: contentKey }));
    const second = await startRun({ seed: 77 });
    expect(second.status).toBe('succeeded');
    const s = second.metrics!.stability;
    expect(s.previousRunId).toBe(previous.runId);
    expect(s.sharedTopics).toBeGreaterThanOrEqual(18);
    // other files' data shares the database, so only this file's groups are asserted exactly
    expect(s.nmi).toBeGreaterThan(0);
    expect(s.nmi).toBeLessThanOrEqual(1);
    const ids = await topicIds(prefix);
    for (let c = 0; c < 3; c++) {
      const topic = planted.find((p) => p.community === c)!;
      expect(await segmentOf(ids.get(topic.name)!)).toBe(segmentsOfGroup[c]);
      const entry = s.segments.find((x: any) => x.id === segmentsOfGroup[c]);
      expect(entry.previousId).toBe(segmentsOfGroup[c]);
      expect(entry.overlap).toBeGreaterThan(0.9);
      expect(s.vanished).not.toContain(segmentsOfGroup[c]);
    }
    const listed = await json<{ runId: string }>(await t.call('GET', '/v1/segments', { key: contentKey }));
    expect(listed.runId).toBe(second.id);
  });

  it('records a failure after the run wrote its segments and keeps serving the previous run', async () => {
    const before = await json<{ runId: string }>(await t.call('GET', '/v1/segments', { key: contentKey }));
    // What content systems and marketers see of the previous run: one person's segment of one and an audience size.
    const audienceOf = async (segmentId: string) =>
      json<{ items: Array<{ user: string }>; total: number }>(
        await t.call('GET', `/v1/segments/${encodeURIComponent(segmentId)}/audience?limit=1`, { key: marketerKey }),
      );
    const audienceBefore = await audienceOf(segmentsOfGroup[0]!);
    expect(audienceBefore.total).toBeGreaterThan(0);
    const person = encodeURIComponent(audienceBefore.items[0]!.user);
    const docBefore = await json<{ runId: string }>(await t.call('GET', `/v1/users/${person}/affinities`, { key: contentKey }));
    expect(docBefore.runId).toBe(before.runId);
    // The run's last write fails in the worker (hosted in this process for this file).
    const completing = vi.spyOn(t.worker!.segmentation!.repository, 'completeRun').mockRejectedValueOnce(new Error('database exploded'));
    const failed = await startRun({ seed: 8 });
    completing.mockRestore();
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('database exploded');
    const after = await json<{ runId: string; items: any[] }>(await t.call('GET', '/v1/segments', { key: contentKey }));
    expect(after.runId).toBe(before.runId);
    const ids = await topicIds(prefix);
    expect(await segmentOf(ids.get(planted[0]!.name)!)).toBe(segmentsOfGroup[0]);
    // nothing of the failed run was left behind
    const rows = await t.db.read<{ n: number }>('segmentation/list-run-segment-topics', { runId: failed.id });
    expect(rows).toEqual([]);
    // Readers never left the previous run.
    const docAfter = await json<{ runId: string }>(await t.call('GET', `/v1/users/${person}/affinities`, { key: contentKey }));
    expect(docAfter.runId).toBe(before.runId);
    expect((await audienceOf(segmentsOfGroup[0]!)).total).toBe(audienceBefore.total);
  });

  it('recovers a run left running by a crashed process instead of blocking forever', async () => {
    const staleId = `stale-${randomUUID()}`;
    await t.db.write('segmentation/create-stale-run', { id: staleId, phase: 'project' });
    const next = await startRun();
    expect(next.status).toBe('succeeded');
    const stale = await json<Run>(await t.call('GET', `/v1/segmentation/runs/${staleId}`, { key: marketerKey }));
    expect(stale.status).toBe('failed');
    expect(stale.error).toMatch(/interrupted/);

    const staleId2 = `stale-${randomUUID()}`;
    await t.db.write('segmentation/create-stale-run', { id: staleId2, phase: null });
    expect(await t.services.segmentation.recovery.recoverStale()).toContain(staleId2);
  });

  describe('a run left by a crashed process', () => {
    const references = async (runId: string) => {
      const [row] = await t.db.read<{ nodes: number; relationships: number }>('segmentation/count-run-references', { runId });
      return row!.nodes + row!.relationships;
    };
    /** A stale run that got as far as writing segments (one per planted group) and RELATED edges. */
    const crashedRun = async (phase: string) => {
      const id = `crashed-${randomUUID()}`;
      await t.db.write('segmentation/create-stale-run', { id, phase });
      const ids = await topicIds(prefix);
      const segments: SegmentOut[] = [0, 1, 2].map((c) => ({
        id: `seg_dead${c}`,
        level: 'coarse',
        label: 'dead',
        other: false,
        topicCount: 6,
        userCount: 1,
        share: 1 / 3,
        parentId: null,
        topTopics: [],
        topics: planted.filter((p) => p.community === c).map((p) => ({ id: ids.get(p.name)!, score: 1 })),
        quality: null,
      }));
      const [a, b] = segments[0]!.topics;
      await t.services.segmentation.repository.writeSegments(id, segments, [{ from: a!.id, to: b!.id, weight: 1 }]);
      return id;
    };

    it('is cleaned up and marked failed, and readers keep the visible run', async () => {
      const visible = await json<{ runId: string }>(await t.call('GET', '/v1/segments', { key: contentKey }));
      const staleId = await crashedRun('write');
      expect(await references(staleId)).toBeGreaterThan(0);
      expect(await t.services.segmentation.recovery.recoverStale()).toEqual([staleId]);
      expect(await references(staleId)).toBe(0);
      expect((await json<{ runId: string }>(await t.call('GET', '/v1/segments', { key: contentKey }))).runId).toBe(visible.runId);
      expect((await json<Run>(await t.call('GET', `/v1/segmentation/runs/${staleId}`, { key: marketerKey }))).status).toBe('failed');
    });
  });

  it('enforces one active run across app instances through the database', async () => {
    const other = await startTestApp(db.env);
    try {
      const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body: {} });
      expect(res.status).toBe(202);
      const { id } = await json<Run>(res);
      const otherKey = (await other.services.apiKeys.create('other', 'admin')).key;
      const blocked = await other.call('POST', '/v1/segmentation/runs', { key: otherKey, body: {} });
      expect(blocked.status).toBe(409);
      expect((await waitForRun(id)).status).toBe('succeeded');
    } finally {
      await other.close();
    }
  });
});

describe('retention', () => {
  it("keeps the segments of the newest 5 succeeded runs, and every run's record", async () => {
    const runs = async () =>
      (await json<{ items: Run[] }>(await t.call('GET', '/v1/segmentation/runs?limit=100', { key: marketerKey }))).items;
    const segmentsOf = async (runId: string) => (await t.db.read('segmentation/list-run-segment-topics', { runId })).length;
    let succeeded = (await runs()).filter((r) => r.status === 'succeeded');
    // The oldest run that still has its segments: five more runs must take them away.
    const target = succeeded[Math.min(4, succeeded.length - 1)]!;
    expect(await segmentsOf(target.id)).toBeGreaterThan(0);
    while (succeeded.findIndex((r) => r.id === target.id) < 5) {
      expect((await startRun({ seed: 3 })).status).toBe('succeeded');
      succeeded = (await runs()).filter((r) => r.status === 'succeeded');
    }
    for (const run of succeeded.slice(0, 5)) expect(await segmentsOf(run.id)).toBeGreaterThan(0);
    // Retention runs right after the newest run turns succeeded, so it may still be deleting when the run is seen.
    for (const run of succeeded.slice(5)) await expect.poll(() => segmentsOf(run.id), { timeout: 60_000, interval: 500 }).toBe(0);
    expect(succeeded.map((r) => r.id)).toContain(target.id);
  });
});

describe('RELATED edges', () => {
  it('are kept for the visible run and dropped once a newer run is published', async () => {
    const related = async (runId: string) => (await t.db.read<{ n: number }>('segmentation/count-run-related', { runId }))[0]!.n;
    const first = await startRun({ seed: 3 });
    expect(first.status).toBe('succeeded');
    expect(await related(first.id)).toBeGreaterThan(0);
    expect((await startRun({ seed: 3 })).status).toBe('succeeded');
    await expect.poll(() => related(first.id), { timeout: 60_000, interval: 500 }).toBe(0);
  });
});

describe('segmentation API input and access', () => {
  it('rejects bad parameters with per-field errors', async () => {
    for (const body of [{ resolution: -1 }, { weighting: 'magic' }, { seed: 1.5 }, { minSupport: 0 }, { colour: 'red' }]) {
      const res = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await json(res)).errors.length).toBeGreaterThan(0);
    }
    const text = await t.call('POST', '/v1/segmentation/runs', { key: marketerKey, raw: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('checks roles: content reads segments but cannot start runs; no key is 401', async () => {
    expect((await t.call('POST', '/v1/segmentation/runs', { key: contentKey, body: {} })).status).toBe(403);
    expect((await t.call('GET', '/v1/segmentation/runs', { key: contentKey })).status).toBe(403);
    expect((await t.call('GET', '/v1/segments', { key: ingestKey })).status).toBe(403);
    expect((await t.call('GET', '/v1/segments')).status).toBe(401);
    expect((await t.call('GET', '/v1/topics?q=x')).status).toBe(401);
    expect((await t.call('GET', '/v1/segments', { key: contentKey })).status).toBe(200);
  });

  it('answers unknown ids with 404 and bad cursors with 400', async () => {
    for (const path of ['/v1/segments/nope', '/v1/segments/nope/topics', '/v1/topics/t_nope', '/v1/segmentation/runs/nope']) {
      const res = await t.call('GET', path, { key: t.adminKey });
      expect(res.status).toBe(404);
    }
    expect((await t.call('GET', '/v1/segments?cursor=garbage', { key: contentKey })).status).toBe(400);
    expect((await t.call('GET', '/v1/segments?level=medium', { key: contentKey })).status).toBe(400);
  });

  it('describes the endpoints in the OpenAPI document', async () => {
    const doc = await json(await t.call('GET', '/openapi.json'));
    for (const p of [
      '/v1/segmentation/runs',
      '/v1/segmentation/runs/{id}',
      '/v1/segments',
      '/v1/segments/graph',
      '/v1/segments/{id}',
      '/v1/segments/{id}/topics',
      '/v1/topics',
      '/v1/topics/{id}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});

describe('SEGMENTATION_ENGINE=gds', () => {
  it('fails the run with a clear message when Graph Data Science is not installed', async () => {
    // A worker process would refuse to start (test/worker.int.test.ts); one that started anyway fails the run. The
    // file's own worker (graphology) leaves gds runs alone.
    const gds = await startTestApp({ ...db.env, SEGMENTATION_ENGINE: 'gds' }, { worker: 'in-process' });
    try {
      const key = (await gds.services.apiKeys.create('gds', 'marketer')).key;
      // No body at all (fetch sends Content-Length: 0): every parameter has a default, so this is not a 415.
      const res = await gds.call('POST', '/v1/segmentation/runs', { key });
      expect(res.status).toBe(202);
      const { id } = await json<Run>(res);
      const run = await waitForRun(id, gds);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/Graph Data Science/);
      expect(run.params.engine).toBe('gds');
    } finally {
      await gds.close();
    }
  });
});
