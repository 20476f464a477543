/**
 * SEGMENTATION_ENGINE=gds: the projection and community detection of a run, in the database with Neo4j Graph Data
 * Science (2.13 on Neo4j 5.26; the embedded launcher loads it with `startLocalNeo4j({gds: true})`).
 *
 * What stays in the database: the consenting users' interests (an in-memory GDS graph Topic → User), each topic's
 * support, the topic–topic similarity (node similarity over shared users, turned into the run's weighting), the
 * k-nearest-neighbour sparsification and Louvain (or Leiden). What comes back is small: one row per topic (support and
 * community at both levels) and the kept similarity edges (at most topics × neighbours), shaped like the in-process
 * engine's projection and detection so the rest of the pipeline (tiny-community grouping, labels, stable ids,
 * stability, RELATED) runs unchanged. The GDS graphs a call creates are always dropped, whatever happens; graphs left
 * by a process that died mid-run are dropped by dropLeftoverGdsGraphs (at startup) and when its run is recovered.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/neo4j.js';
import type { Cohesion } from './cohesion.js';
import type { CommunityAudience } from './pipeline.js';
import type { Weighting } from './projection.js';

export interface GdsRunParams {
  weighting: Weighting;
  minSupport: number;
  maxTopicsPerUser: number;
  /** k of the k-nearest-neighbour sparsification (0 = keep every edge). */
  neighbours: number;
  resolution: number;
  seed: number;
}

export interface GdsOptions {
  /**
   * `louvain` (GDS Louvain: no resolution, no seed; deterministic at concurrency 1), `leiden` (gamma = resolution,
   * randomSeed = seed) or `auto` (default): Louvain when the resolution is 1, Leiden otherwise, since GDS Louvain
   * cannot honour another resolution.
   */
  algorithm?: 'auto' | 'louvain' | 'leiden';
  /**
   * Candidates per topic from node similarity (ranked by Jaccard) before they are re-ranked by the run's weighting and
   * cut to `neighbours`. Exact when the weighting is jaccard or when it covers every topic; default 4 × neighbours
   * (at least 100).
   */
  candidates?: number;
  /** GDS concurrency; 1 (default) keeps results reproducible. OpenGDS caps it at 4. */
  concurrency?: number;
  maxLevels?: number;
  /** Names of the in-memory graphs start with this (default `segmentation-<uuid>`); pass the run id. */
  graphName?: string;
  /** Topics kept out of the segmentation (curation): they are not projected. */
  excluded?: readonly string[];
}

export interface GdsTimings {
  projectMs: number;
  similarityMs: number;
  detectMs: number;
  streamMs: number;
}

/** Shaped like the in-process engine's WeightedEdges + Detection (src/segmentation/communities.ts), indexed by topicIds. */
export interface GdsSegmentation {
  algorithm: 'louvain' | 'leiden';
  /** Consenting users with at least one interest (N of npmi). */
  users: number;
  /** Topics with support ≥ minSupport, sorted by id; every per-topic array below is indexed like this one. */
  topicIds: string[];
  /** Users behind each topic (after the per-user cap). */
  support: Int32Array;
  nodeCount: number;
  /** All 1: every topic returned takes part. */
  active: Uint8Array;
  /** The kept (k-nearest-neighbour) similarity edges, a < b, sorted; the graph communities were detected on. */
  edgeA: Int32Array;
  edgeB: Int32Array;
  edgeWeight: Float64Array;
  detection: {
    /** Community at the final level; a topic without any kept edge is a community of its own. */
    coarse: Int32Array;
    /** Community at the first level (equal to coarse when only one level ran); nested in coarse. */
    firstLevel: Int32Array;
    levels: number;
    modularity: number;
  };
  timings: GdsTimings;
}

export const GDS_GRAPH_PREFIX = 'segmentation-';

/**
 * Projects the interests, computes the similarity graph and the communities in the database, and streams back both
 * levels and the kept edges. Throws when GDS is missing (the first statement fails with "Unknown function
 * 'gds.graph.project'").
 */
export async function segmentWithGds(db: Db, params: GdsRunParams, opts: GdsOptions = {}): Promise<GdsSegmentation> {
  const base = opts.graphName ?? `${GDS_GRAPH_PREFIX}${randomUUID()}`;
  const graph = `${base}-interests`;
  const similarity = `${base}-similarity`;
  const concurrency = opts.concurrency ?? 1;
  const algorithm =
    opts.algorithm === 'louvain' || opts.algorithm === 'leiden' ? opts.algorithm : params.resolution === 1 ? 'louvain' : 'leiden';
  const timings: GdsTimings = { projectMs: 0, similarityMs: 0, detectMs: 0, streamMs: 0 };
  // Only graphs this call created are dropped (a clash with a leftover graph must not drop someone else's).
  const created: string[] = [];
  let t0 = performance.now();
  try {
    // Each algorithm step is run-long work over every user: it gets the run's deadline, not an API request's.
    const long = { deadline: 'stream' } as const;
    const [projected] = await db.read<{ users: number; topics: number }>(
      'segmentation/gds-project-interests',
      { graph, maxTopicsPerUser: params.maxTopicsPerUser, excluded: opts.excluded ?? [] },
      long,
    );
    created.push(graph);
    const users = projected?.users ?? 0;
    await db.read('segmentation/gds-mutate-support', { graph, concurrency }, long);
    const supportRows = await db.read<{ topic: string; support: number }>(
      'segmentation/gds-stream-support',
      { graph, minSupport: params.minSupport },
      long,
    );
    supportRows.sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : 0));
    const topicIds = supportRows.map((r) => r.topic);
    const index = new Map(topicIds.map((id, i) => [id, i]));
    const support = Int32Array.from(supportRows, (r) => r.support);
    timings.projectMs = performance.now() - t0;

    t0 = performance.now();
    const all = Math.max(1, topicIds.length);
    const neighbours = params.neighbours > 0 ? params.neighbours : all;
    const candidates = Math.min(all, Math.max(1, opts.candidates ?? (params.neighbours > 0 ? Math.max(100, 4 * neighbours) : all)));
    const [sim] =
      topicIds.length > 1
        ? await db.read<{ topics: number; edges: number }>(
            'segmentation/gds-project-similarity',
            {
              graph,
              similarity,
              candidates: params.weighting === 'jaccard' ? Math.min(candidates, neighbours) : candidates,
              minSupport: params.minSupport,
              weighting: params.weighting,
              users,
              neighbours,
              concurrency,
            },
            long,
          )
        : [];
    if (sim) created.push(similarity);
    timings.similarityMs = performance.now() - t0;

    const n = topicIds.length;
    const coarse = new Int32Array(n).fill(-1);
    const fine = new Int32Array(n).fill(-1);
    let levels = 0;
    let modularity = 0;
    const A: number[] = [];
    const B: number[] = [];
    const W: number[] = [];
    if (sim && sim.edges > 0) {
      t0 = performance.now();
      const detect = algorithm === 'leiden' ? 'segmentation/gds-mutate-leiden' : 'segmentation/gds-mutate-louvain';
      const [det] = await db.read<{ modularity: number; levels: number }>(
        detect,
        {
          similarity,
          resolution: params.resolution,
          seed: params.seed,
          maxLevels: opts.maxLevels ?? 10,
          concurrency,
        },
        long,
      );
      levels = det?.levels ?? 0;
      modularity = det?.modularity ?? 0;
      timings.detectMs = performance.now() - t0;

      t0 = performance.now();
      await db.stream('segmentation/gds-stream-communities', { similarity }, (row) => {
        const i = index.get(row.topic as string);
        const ls = row.levels as number[];
        if (i === undefined || ls.length === 0) return;
        fine[i] = ls[0]!;
        coarse[i] = ls[ls.length - 1]!;
      });
      await db.stream('segmentation/gds-stream-similarity', { similarity }, (row) => {
        const a = index.get(row.a as string);
        const b = index.get(row.b as string);
        if (a === undefined || b === undefined) return;
        A.push(Math.min(a, b));
        B.push(Math.max(a, b));
        W.push(row.weight as number);
      });
      timings.streamMs = performance.now() - t0;
    }
    const order = Array.from(A.keys()).sort((i, j) => A[i]! - A[j]! || B[i]! - B[j]!);
    return {
      algorithm,
      users,
      topicIds,
      support,
      nodeCount: n,
      active: new Uint8Array(n).fill(1),
      edgeA: Int32Array.from(order, (i) => A[i]!),
      edgeB: Int32Array.from(order, (i) => B[i]!),
      edgeWeight: Float64Array.from(order, (i) => W[i]!),
      detection: { coarse: renumber(coarse), firstLevel: renumber(fine), levels, modularity },
      timings,
    };
  } finally {
    for (const name of created.reverse()) {
      await db.read('segmentation/gds-drop-graph', { graph: name }, { deadline: 'batch' }).catch(() => undefined);
    }
  }
}

/**
 * Community ids 0..k-1 in order of first appearance (topics are sorted by id, so ids are reproducible); a topic
 * without a community (-1: no kept edge) becomes a community of its own, as Louvain leaves an isolated node.
 */
function renumber(membership: Int32Array): Int32Array {
  const ids = new Map<number, number>();
  let next = 0;
  return membership.map((c) => {
    if (c < 0) return next++;
    let id = ids.get(c);
    if (id === undefined) {
      id = next++;
      ids.set(c, id);
    }
    return id;
  });
}

/**
 * The pipeline's per-segment audience (userCount, share), computed in the database from the final membership
 * (after tiny communities are grouped; topics outside the segmentation left out), so no user is streamed out.
 */
export async function segmentAudience(db: Db, topicIds: readonly string[], membership: ArrayLike<number>): Promise<CommunityAudience> {
  const map: Record<string, number> = {};
  topicIds.forEach((id, i) => {
    if (membership[i]! >= -1) map[id] = membership[i]!;
  });
  const rows = await db.read<{ community: number; users: number; share: number; segmented: number }>(
    'segmentation/gds-segment-audience',
    { membership: map },
    { deadline: 'stream' },
  );
  return {
    users: new Map(rows.map((r) => [r.community, r.users])),
    // Not rounded: the lift baseline (see pipeline.ts).
    share: new Map(rows.map((r) => [r.community, r.segmented > 0 ? r.share / r.segmented : 0])),
    segmented: rows[0]?.segmented ?? 0,
  };
}

/**
 * Drops in-memory graphs a dead process left behind (at startup, before this process runs anything). `keep` is asked
 * after the graphs are listed, so a run that is still active (another live instance's) can be spared: a graph listed
 * for a run that was active then and is still active now belongs to it; a run started after the listing is not listed.
 */
export async function dropLeftoverGdsGraphs(
  db: Db,
  opts: { prefix?: string; keep?: () => Promise<(graphName: string) => boolean> } = {},
): Promise<string[]> {
  const rows = await db.read<{ graphName: string }>('segmentation/gds-list-graphs', { prefix: opts.prefix ?? GDS_GRAPH_PREFIX });
  if (rows.length === 0) return [];
  const keep = opts.keep ? await opts.keep() : () => false;
  const dropped: string[] = [];
  for (const r of rows) {
    if (keep(r.graphName)) continue;
    await db.read('segmentation/gds-drop-graph', { graph: r.graphName }, { deadline: 'batch' });
    dropped.push(r.graphName);
  }
  return dropped;
}

/**
 * The people's co-interest statistics of a membership (0..count-1 per topic, negative: none), computed in the database:
 * what the in-process engine gets from cohesion.ts, without the pairs between communities (quality needs none).
 */
export async function segmentCohesion(
  db: Db,
  topicIds: readonly string[],
  membership: ArrayLike<number>,
  count: number,
): Promise<Cohesion> {
  const map: Record<string, number> = {};
  topicIds.forEach((id, i) => {
    if (membership[i]! >= 0) map[id] = membership[i]!;
  });
  // Run-long work over every user, like the audience step: the run's deadline, not an API request's.
  const rows = await db.read<{
    community: number;
    mass: number;
    self: number;
    cut: number;
    slots: number;
    coPairs: number;
    coPeople: number;
    people: number;
    totalSlots: number;
    totalPairs: number;
  }>('segmentation/gds-segment-cohesion', { membership: map }, { deadline: 'stream' });
  const out: Cohesion = {
    count,
    people: rows[0]?.people ?? 0,
    mass: new Float64Array(count),
    self: new Float64Array(count),
    cut: new Float64Array(count),
    pairs: new Map(),
    slots: new Float64Array(count),
    coPairs: new Float64Array(count),
    coPeople: new Float64Array(count),
    totalSlots: rows[0]?.totalSlots ?? 0,
    totalPairs: rows[0]?.totalPairs ?? 0,
  };
  for (const r of rows) {
    out.mass[r.community] = r.mass;
    out.self[r.community] = r.self;
    out.cut[r.community] = r.cut;
    out.slots[r.community] = r.slots;
    out.coPairs[r.community] = r.coPairs;
    out.coPeople[r.community] = r.coPeople;
  }
  return out;
}

/** The installed Graph Data Science version, or null when the database has none (gds.version() is unknown). */
export async function gdsVersion(db: Db): Promise<string | null> {
  try {
    const [row] = await db.read<{ version: string }>('segmentation/gds-version');
    return row?.version ?? null;
  } catch {
    return null;
  }
}
