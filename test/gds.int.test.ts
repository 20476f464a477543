/**
 * SEGMENTATION_ENGINE=gds building block (src/segmentation/gds.ts) on an embedded Neo4j 5.26 with Graph Data Science
 * 2.13. This file starts its own instance with GDS (the shared one of global-setup has none) and installs the GDS jars
 * first when they are missing (Maven Central, ~15 MB): a failed install fails the file, it never skips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGdsJars, startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { dropLeftoverGdsGraphs, GDS_GRAPH_PREFIX, segmentAudience, segmentWithGds, type GdsRunParams } from '../src/segmentation/gds.js';
import { InterestCollector, project, sparsify } from '../src/segmentation/projection.js';
import { mulberry32 } from '../src/segmentation/random.js';

const COMMUNITIES = 6;
const TOPICS_PER_COMMUNITY = 8;
const topic = (c: number, k: number) => `gds-t${c}-${k}`;
const plantedCommunity = (id: string) => Number(/^gds-t(\d+)-/.exec(id)![1]);

/**
 * 900 consenting users, each with 7 interests drawn 80% from their planted community and 20% from any topic, and
 * 400 users who refuse segmentation and all join communities 0 and 1: counted, they would merge those two.
 */
function plantedUsers() {
  const rng = mulberry32(2026);
  const users: Array<{ id: string; consent: boolean; topics: string[]; weights: number[] }> = [];
  const pick = (c: number) => topic(c, Math.floor(rng() * TOPICS_PER_COMMUNITY));
  for (let u = 0; u < 900; u++) {
    const c = u % COMMUNITIES;
    const set = new Set<string>();
    while (set.size < 7) set.add(rng() < 0.2 ? pick(Math.floor(rng() * COMMUNITIES)) : pick(c));
    users.push({ id: `gds-u${u}`, consent: true, topics: [...set], weights: [...set].map(() => 0.5 + rng() / 2) });
  }
  for (let u = 0; u < 400; u++) {
    const set = new Set<string>();
    while (set.size < 8) set.add(pick(set.size % 2));
    users.push({ id: `gds-x${u}`, consent: false, topics: [...set], weights: [...set].map(() => 1) });
  }
  return users;
}

const PARAMS: GdsRunParams = { weighting: 'npmi', minSupport: 2, maxTopicsPerUser: 50, neighbours: 10, resolution: 1, seed: 42 };

let server: LocalNeo4j;
let dataDir: string;
let db: Db;

beforeAll(async () => {
  ensureGdsJars();
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-neo4j-gds-'));
  server = await startLocalNeo4j({ dataDir, port: 0, gds: true, heap: '1g', pagecache: '64m', startTimeoutMs: 240_000 });
  db = new Db({ uri: server.uri, user: 'neo4j', password: '' });
  const topics = Array.from({ length: COMMUNITIES * TOPICS_PER_COMMUNITY }, (_, i) => topic(Math.floor(i / TOPICS_PER_COMMUNITY), i % TOPICS_PER_COMMUNITY));
  await db.write('segmentation/gds-test-plant-interests', { topics, users: plantedUsers() });
}, 420_000);

afterAll(async () => {
  await db?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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

describe('GDS engine (embedded Neo4j 5.26 + GDS 2.13)', () => {
  it('has GDS loaded', async () => {
    const [row] = await db.read<{ version: string }>('segmentation/gds-version');
    expect(row!.version).toMatch(/^2\.13\./);
  });

  it('recovers the planted communities with Louvain, ignoring users who refused segmentation', async () => {
    const res = await segmentWithGds(db, PARAMS);
    expect(res.algorithm).toBe('louvain');
    expect(res.users).toBe(900);
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
    expect(total).toBe(900 * 7);
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
      for (let e = 0; e < res.edgeA.length; e++) got.set(`${res.topicIds[res.edgeA[e]!]} ${res.topicIds[res.edgeB[e]!]}`, res.edgeWeight[e]!);
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
    await db.read('segmentation/gds-project-interests', { graph: `${GDS_GRAPH_PREFIX}stale-interests`, maxTopicsPerUser: 50 });
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
