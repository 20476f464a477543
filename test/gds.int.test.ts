/**
 * SEGMENTATION_ENGINE=gds on an embedded Neo4j 5.26 with Graph Data Science 2.13 (test/support/gds-neo4j.ts starts its
 * own instance with planted data, installing the GDS jars first when missing; the shared instance has no GDS).
 * First the building block (src/segmentation/gds.ts), then the engine through the real HTTP API on the same instance.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/db/neo4j.js';
import { dropLeftoverGdsGraphs, GDS_GRAPH_PREFIX, segmentAudience, segmentWithGds, type GdsRunParams } from '../src/segmentation/gds.js';
import { InterestCollector, project, sparsify } from '../src/segmentation/projection.js';
import { getJson, type Run, runSegmentation } from './support/dashboard-seed.js';
import { startTestApp, type TestApp } from './support/app.js';
import {
  COMMUNITIES,
  CONSENTING_USERS,
  INTERESTS_PER_USER,
  plantedCommunity,
  plantedUsers,
  startGdsNeo4j,
  TOPICS_PER_COMMUNITY,
  type GdsNeo4j,
} from './support/gds-neo4j.js';

const PARAMS: GdsRunParams = { weighting: 'npmi', minSupport: 2, maxTopicsPerUser: 50, neighbours: 10, resolution: 1, seed: 42 };

let server: GdsNeo4j;
let db: Db;

beforeAll(async () => {
  server = await startGdsNeo4j();
  db = server.db;
}, 420_000);

afterAll(async () => {
  await server?.stop();
});

/** Topic groups of a membership, as sorted lists of planted community numbers (one list per detected group). */
function groups(topicIds: string[], membership: Int32Array): string[][] {
  const byCommunity = new Map<number, string[]>();
  topicIds.forEach((id, i) => byCommunity.set(membership[i]!, [...(byCommunity.get(membership[i]!) ?? []), id]));
  return [...byCommunity.values()].map((g) => g.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

function expectPlanted(topicIds: string[], membership: Int32Array) {
  const found = groups(topicIds, membership);
  expect(found).toHaveLength(COMMUNITIES);
  for (const g of found) expect(new Set(g.map(plantedCommunity)).size).toBe(1);
}

describe('GDS building block (embedded Neo4j 5.26 + GDS 2.13)', () => {
  it('has GDS loaded', async () => {
    const [row] = await db.read<{ version: string }>('segmentation/gds-version');
    expect(row!.version).toMatch(/^2\.13\./);
  });

  it('recovers the planted communities with Louvain, ignoring users who refused segmentation', async () => {
    const res = await segmentWithGds(db, PARAMS);
    expect(res.algorithm).toBe('louvain');
    expect(res.users).toBe(CONSENTING_USERS);
    expect(res.topicIds).toHaveLength(COMMUNITIES * TOPICS_PER_COMMUNITY);
    expect(res.topicIds).toEqual([...res.topicIds].sort());
    expectPlanted(res.topicIds, res.detection.coarse);
    expect(res.detection.modularity).toBeGreaterThan(0.5);
    // The first level nests in the final one.
    const parent = new Map<number, number>();
    res.detection.firstLevel.forEach((f, i) => {
      expect(parent.get(f) ?? res.detection.coarse[i]).toBe(res.detection.coarse[i]);
      parent.set(f, res.detection.coarse[i]!);
    });
    // Support: the consenting users behind each topic (about 900 × 7 / 48 on average).
    const total = res.support.reduce((a, b) => a + b, 0);
    expect(total).toBe(CONSENTING_USERS * INTERESTS_PER_USER);
    // Kept edges: each pair once, indexes in range, positive npmi, at most k per topic on either side.
    expect(res.edgeA.length).toBeGreaterThan(0);
    expect(res.edgeA.length).toBeLessThanOrEqual(res.nodeCount * PARAMS.neighbours);
    for (let e = 0; e < res.edgeA.length; e++) {
      expect(res.edgeA[e]!).toBeLessThan(res.edgeB[e]!);
      expect(res.edgeWeight[e]!).toBeGreaterThan(0);
      expect(res.edgeWeight[e]!).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the same weighted edges as the in-process projection and sparsification', async () => {
    const interests = new InterestCollector();
    for (const u of plantedUsers()) if (u.consent) interests.addUser(u.topics, u.weights);
    for (const weighting of ['npmi', 'cosine', 'jaccard', 'count'] as const) {
      const params = { ...PARAMS, weighting };
      const p = project(interests, params);
      const keep = sparsify(p, params.neighbours);
      const expected = new Map<string, number>();
      for (let e = 0; e < p.edgeA.length; e++) {
        if (!keep[e]) continue;
        const [a, b] = [interests.topicIds[p.edgeA[e]!]!, interests.topicIds[p.edgeB[e]!]!].sort();
        expected.set(`${a} ${b}`, p.edgeWeight[e]!);
      }
      const res = await segmentWithGds(db, params);
      const got = new Map<string, number>();
      for (let e = 0; e < res.edgeA.length; e++)
        got.set(`${res.topicIds[res.edgeA[e]!]} ${res.topicIds[res.edgeB[e]!]}`, res.edgeWeight[e]!);
      // Ties at the k-th neighbour may be broken differently (topic index vs node id): compare the weights of the
      // pairs both kept, and require nearly the same set.
      let common = 0;
      for (const [pair, w] of got) {
        if (!expected.has(pair)) continue;
        common++;
        expect(w).toBeCloseTo(expected.get(pair)!, 9);
      }
      expect(common).toBeGreaterThanOrEqual(0.97 * Math.max(got.size, expected.size));
    }
  });

  it('is deterministic and always drops its in-memory graphs', async () => {
    const a = await segmentWithGds(db, PARAMS, { graphName: `${GDS_GRAPH_PREFIX}test-a` });
    const b = await segmentWithGds(db, PARAMS, { graphName: `${GDS_GRAPH_PREFIX}test-b` });
    expect(b.detection.coarse).toEqual(a.detection.coarse);
    expect(b.detection.firstLevel).toEqual(a.detection.firstLevel);
    expect(b.edgeWeight).toEqual(a.edgeWeight);
    expect(await dropLeftoverGdsGraphs(db)).toEqual([]);
    // A graph left behind by a dead process: a run clashing with it fails without dropping it (not its own), and the
    // startup cleanup drops it.
    await db.read(
      'segmentation/gds-project-interests',
      { graph: `${GDS_GRAPH_PREFIX}stale-interests`, maxTopicsPerUser: 50, excluded: [] },
      { deadline: 'batch' },
    );
    await expect(segmentWithGds(db, PARAMS, { graphName: `${GDS_GRAPH_PREFIX}stale` })).rejects.toThrow(/already exists/);
    expect(await dropLeftoverGdsGraphs(db)).toEqual([`${GDS_GRAPH_PREFIX}stale-interests`]);
    expect(await dropLeftoverGdsGraphs(db)).toEqual([]);
  });

  it('runs Leiden (seeded, gamma = resolution) when the resolution is not 1, and every weighting', async () => {
    const leiden = await segmentWithGds(db, { ...PARAMS, resolution: 0.9 });
    expect(leiden.algorithm).toBe('leiden');
    expectPlanted(leiden.topicIds, leiden.detection.coarse);
    const again = await segmentWithGds(db, { ...PARAMS, resolution: 0.9 });
    expect(again.detection.coarse).toEqual(leiden.detection.coarse);
    for (const weighting of ['cosine', 'jaccard'] as const) {
      const res = await segmentWithGds(db, { ...PARAMS, weighting });
      expectPlanted(res.topicIds, res.detection.coarse);
    }
    const count = await segmentWithGds(db, { ...PARAMS, weighting: 'count', neighbours: 0 });
    // count weights are the shared users themselves; with every edge kept, each pair of topics with ≥ 2 users.
    expect(Math.max(...count.edgeWeight)).toBeGreaterThanOrEqual(2);
    expect(count.edgeWeight.every((w) => Number.isInteger(w))).toBe(true);
  });

  it('computes the segments’ audience in the database', async () => {
    const res = await segmentWithGds(db, PARAMS);
    const audience = await segmentAudience(db, res.topicIds, res.detection.coarse);
    expect(audience.users.size).toBe(COMMUNITIES);
    let share = 0;
    for (const [community, users] of audience.users) {
      expect(users).toBeGreaterThanOrEqual(150);
      expect(users).toBeLessThanOrEqual(900);
      share += audience.share.get(community)!;
    }
    expect(share).toBeCloseTo(1, 4);
  });
});

/** A run as GET /v1/segmentation/runs/:id answers it. */
type AppRun = Run & { params: Record<string, unknown>; metrics?: Record<string, any> };

interface Segment {
  id: string;
  label: string;
  other: boolean;
  userCount: number;
  share: number;
  parentId: string | null;
}

// Last in the file: the module tests above count the users and the GDS graphs of the planted data; these only add
// runs, segments and affinities.
describe('SEGMENTATION_ENGINE=gds through the HTTP API', () => {
  let app: TestApp;
  let marketer: string;
  let content: string;
  let first: AppRun;
  /** Coarse segment id → the planted community of its topics (one per segment, checked by the first test). */
  const communityOf = new Map<string, number>();

  beforeAll(async () => {
    // In process: the last test plants a run of a dead process, which a worker's periodic recovery must not take first.
    app = await startTestApp(
      { SEGMENTATION_ENGINE: 'gds', NEO4J_URI: server.uri, NEO4J_PASSWORD: server.password },
      { worker: 'in-process' },
    );
    marketer = await app.keyFor('marketer');
    content = await app.keyFor('content');
  });

  afterAll(async () => {
    await app?.close();
  });

  async function succeededRun(): Promise<AppRun> {
    // POST /v1/segmentation/runs (202), then polls the run; a failed run throws with its error.
    return (await runSegmentation(app, marketer, 120_000)) as AppRun;
  }

  async function segments(level: 'coarse' | 'fine') {
    return getJson<{ runId: string; items: Segment[] }>(app, content, `/v1/segments?level=${level}&limit=100`);
  }

  async function topicsOf(segmentId: string): Promise<string[]> {
    const page = await getJson<{ items: Array<{ id: string }>; nextCursor?: string }>(
      app,
      content,
      `/v1/segments/${segmentId}/topics?limit=100`,
    );
    expect(page.nextCursor).toBeUndefined();
    return page.items.map((t) => t.id);
  }

  it('runs in the database and puts each planted group in a segment of its own', async () => {
    first = await succeededRun();
    expect(first.params.engine).toBe('gds');
    const m = first.metrics!;
    expect(m.engine).toBe('gds');
    expect(m.algorithm).toBe('louvain');
    // Users who refused segmentation are neither counted nor segmented.
    expect(m.users).toBe(CONSENTING_USERS);
    expect(m.topics).toBe(COMMUNITIES * TOPICS_PER_COMMUNITY);
    expect(m.edges).toBeGreaterThan(0);
    expect(m.edges).toBeLessThanOrEqual((m.topics * (m.topics - 1)) / 2);
    expect(m.segments).toBe(COMMUNITIES);
    expect(m.modularity).toBeGreaterThan(0.4);
    for (const phase of ['projectMs', 'detectMs', 'writeMs']) expect(m.phases[phase]).toBeGreaterThanOrEqual(0);
    expect(m.stability.previousRunId).toBeNull();

    const coarse = await segments('coarse');
    expect(coarse.runId).toBe(first.id);
    expect(coarse.items.filter((s) => !s.other)).toHaveLength(COMMUNITIES);
    const seen = new Set<number>();
    let topics = 0;
    for (const s of coarse.items) {
      const ids = await topicsOf(s.id);
      topics += ids.length;
      const communities = new Set(ids.map(plantedCommunity));
      expect(communities.size, `${s.label}: ${ids.join(', ')}`).toBe(1);
      const [c] = communities;
      expect(seen.has(c!)).toBe(false);
      seen.add(c!);
      communityOf.set(s.id, c!);
      // Sizes counted in the database: every consenting user holds some noise, so well over a community's 150.
      expect(s.userCount).toBeGreaterThanOrEqual(CONSENTING_USERS / COMMUNITIES);
      expect(s.userCount).toBeLessThanOrEqual(CONSENTING_USERS);
    }
    expect(topics).toBe(COMMUNITIES * TOPICS_PER_COMMUNITY);
    expect(coarse.items.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 3);

    // The fine level nests in the coarse one.
    const fine = await segments('fine');
    expect(fine.items.length).toBeGreaterThanOrEqual(COMMUNITIES);
    for (const s of fine.items) {
      expect(communityOf.has(s.parentId!)).toBe(true);
      for (const id of await topicsOf(s.id)) expect(plantedCommunity(id)).toBe(communityOf.get(s.parentId!));
    }
  });

  it('gives people their segment of one against the run (computed on read)', async () => {
    // gds-u0 draws 80% of its interests from planted community 0.
    const doc = await getJson<{ runId: string; segments: Array<{ segmentId: string; affinity: number }> }>(
      app,
      content,
      '/v1/users/gds-u0/affinities',
    );
    expect(doc.runId).toBe(first.id);
    expect(doc.segments.length).toBeGreaterThan(0);
    const top = [...doc.segments].sort((a, b) => b.affinity - a.affinity)[0]!;
    expect(communityOf.get(top.segmentId)).toBe(0);
    // Refused segmentation: no segment of one.
    const refused = await getJson<{ segments: unknown[] }>(app, content, '/v1/users/gds-x0/affinities');
    expect(refused.segments).toEqual([]);
  });

  it('keeps segment ids on a second run and leaves no in-memory graph behind', async () => {
    const second = await succeededRun();
    const coarse = await segments('coarse');
    expect(coarse.runId).toBe(second.id);
    expect(coarse.items.map((s) => s.id).sort()).toEqual([...communityOf.keys()].sort());
    for (const s of coarse.items) expect((await topicsOf(s.id)).map(plantedCommunity)[0]).toBe(communityOf.get(s.id));
    const stability = second.metrics!.stability;
    expect(stability.previousRunId).toBe(first.id);
    expect(stability.nmi).toBeCloseTo(1, 6);
    expect(stability.appeared).toEqual([]);
    expect(stability.vanished).toEqual([]);
    expect(await dropLeftoverGdsGraphs(db)).toEqual([]);
  });

  it('drops the graphs of a run left by a dead process: spared while the run is active, dropped on recovery', async () => {
    const { engine, recovery, repository } = app.services.segmentation;
    const staleId = `stale-${randomUUID()}`;
    const graph = `${GDS_GRAPH_PREFIX}${staleId}-interests`;
    await db.write('segmentation/create-stale-run', { id: staleId, phase: 'detect' });
    await db.read('segmentation/gds-project-interests', { graph, maxTopicsPerUser: 50, excluded: [] }, { deadline: 'batch' });
    const orphan = `${GDS_GRAPH_PREFIX}${randomUUID()}-interests`;
    await db.read('segmentation/gds-project-interests', { graph: orphan, maxTopicsPerUser: 50, excluded: [] }, { deadline: 'batch' });
    // The stale run still holds the active slot (it may belong to a live instance until recovered): only the graph of
    // a run that is not active goes.
    expect(await engine.dropLeftovers(async () => (await repository.activeRun())?.id)).toEqual([orphan]);
    expect(await recovery.recoverStale()).toEqual([staleId]);
    expect(await dropLeftoverGdsGraphs(db)).toEqual([]);
    const stale = await getJson<AppRun>(app, marketer, `/v1/segmentation/runs/${staleId}`);
    expect(stale.status).toBe('failed');
  });
});
