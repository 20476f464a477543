/**
 * The pure part of a run: interests (or, from the GDS engine, detected communities) in, segments (both levels) with
 * labels, sizes, stable ids and stability out. No I/O here (the GDS engine injects its database audience step), so the
 * whole algorithm is unit-tested on planted data with seeded randomness.
 */
import {
  communityMembers,
  type Detection,
  detectCommunities,
  groupTiny,
  internalDegree,
  modularity,
  OTHER,
  OUTSIDE,
  refineCommunities,
  type WeightedEdges,
} from './communities.js';
import { cohesion, compact, type PeopleView } from './cohesion.js';
import { labelSegment } from './labels.js';
import { naturalCommunities } from './natural.js';
import { Holders } from './placement.js';
import { type InterestCollector, project, topNeighbours, type Weighting } from './projection.js';
import { communityQuality, type CommunityQuality, MIN_SEED_STABILITY, seedAgreement } from './quality.js';
import { compareRuns, matchSegments, type SegmentTopics, type Stability } from './stability.js';
import { buildHierarchy, type Hierarchy } from './hierarchy.js';
import { descendants } from './lineage.js';

export type Level = 'coarse' | 'fine';

export interface RunParams {
  resolution: number;
  seed: number;
  weighting: Weighting;
  minSupport: number;
  maxTopicsPerUser: number;
  /** Communities with fewer topics are folded into their best-connected neighbour (or "Other interests"). */
  minSegmentSize: number;
  /** k of the k-nearest-neighbour sparsification before Louvain (0 = use every edge). */
  neighbours: number;
  /** RELATED edges written per topic. */
  relatedPerTopic: number;
  /**
   * Users a topic needs to take part in community detection: at most this, one per thousand people when that is less,
   * never below minSupport, and raised when more than MAX_CORE_TOPICS topics reach it. Rarer topics are placed
   * afterwards where their people sit (natural.ts).
   */
  coreSupport: number;
}

/** Detection (pair counting, Louvain) sees at most this many topics, the most held: what keeps 1M-topic tails linear. */
export const MAX_CORE_TOPICS = 50_000;

export const DEFAULT_PARAMS: RunParams = {
  resolution: 1,
  seed: 42,
  weighting: 'npmi',
  minSupport: 2,
  maxTopicsPerUser: 50,
  minSegmentSize: 3,
  neighbours: 30,
  relatedPerTopic: 10,
  coreSupport: 5,
};

export interface TopicMeta {
  name: string;
  category?: string | null;
}

export interface SegmentOut {
  id: string;
  level: Level;
  label: string;
  other: boolean;
  topicCount: number;
  userCount: number;
  /** Mean affinity of segmented users to this segment (the lift baseline); sums to 1 over a level. */
  share: number;
  parentId: string | null;
  topTopics: Array<{ id: string; name: string }>;
  topics: Array<{ id: string; score: number }>;
  quality: SegmentQuality | null;
}

/** quality.ts: cohesion (lift with itself), conductance, evidence against the null model, and agreement across seeds. */
export interface SegmentQuality extends CommunityQuality {
  /** Jaccard overlap with the best-matching segment of the same run repeated with another seed (null: not measured). */
  seedStability: number | null;
}

export interface PreviousRun {
  runId: string;
  segments: Array<SegmentTopics & { level: Level }>;
  /**
   * Topics marketers pinned to a coarse segment of this run (curation): the new run puts each in the segment that
   * descends from it (the same id, or the part of a split that kept it, else the first part).
   */
  pins?: ReadonlyArray<{ topicId: string; segmentId: string }>;
}

/** Figures of a group of coarse segments measured as one (curation merges), as the run measures its segments. */
export interface GroupFigures {
  userCount: number;
  share: number;
  quality: SegmentQuality | null;
}

export interface PipelineResult {
  segments: SegmentOut[];
  related: Array<{ from: string; to: string; weight: number }>;
  stability: { coarse: Stability; fine: Stability };
  modularity: number;
  levels: number;
  /** Topics that took part (support ≥ minSupport). */
  topics: number;
  /** Co-interest edges the run saw: every projected edge in process, the kept ones from the GDS engine. */
  edges: number;
  users: number;
  /** Coarse segments that are significant ("Other interests" excluded). */
  significantSegments: number;
  /** NMI between the coarse partition and the one the run finds with another seed (null: not measured). */
  seedNmi: number | null;
  /** In process: topics in detection, the support they needed, and the natural steps' counts and timings. */
  natural?: {
    coreTopics: number;
    coreSupport: number;
    pieces: number;
    merged: number;
    timings: { splitMs: number; mergeMs: number; placeMs: number; seedMs: number; hierarchyMs?: number };
  };
  timings: { projectMs: number; detectMs: number };
  /** In process: the coarse segments as a hierarchy a granularity cuts (hierarchy.ts). */
  hierarchy?: Hierarchy;
  /** Measures groups of coarse segments (by id) as single segments, with the run's people (merges of curation). */
  groupStats(groups: ReadonlyArray<readonly string[]>): Promise<GroupFigures[]>;
}

/** Random graphs a fine split must beat (a permutation test at the 10% level; see refineCommunities). */
export const FINE_NULL_SAMPLES = 9;

/** A level's audience: users with an interest in each community, and each community's mean share of interest weight. */
export interface CommunityAudience {
  /** Consenting users with at least one interest in the community. */
  users: Map<number, number>;
  /** Mean over segmented users of the community's share of their interest weight (sums to 1 over a level). */
  share: Map<number, number>;
}

/**
 * How a level's audience is measured: in process from the streamed interests, or in the database (GDS engine,
 * src/segmentation/gds.ts segmentAudience) where the interests never leave Neo4j. `membership` is per topic index;
 * OUTSIDE topics are in no community.
 */
export type AudienceStep = (
  level: Level,
  membership: Int32Array,
  communities: number[],
) => CommunityAudience | Promise<CommunityAudience>;

/**
 * What community detection hands to the rest of a run, whichever engine produced it. Every per-topic array is indexed
 * like `topicIds`, which is sorted by id (so ids, labels and tie-breaks do not depend on the order data arrived in).
 */
export interface DetectedGraph {
  topicIds: readonly string[];
  /** Users behind each topic (after the per-user cap). */
  support: ArrayLike<number>;
  /** Topics that take part (support ≥ minSupport); the others are OUTSIDE every segment. */
  active: ArrayLike<number>;
  /** Consenting users with at least one interest. */
  users: number;
  /**
   * Co-interest edges for tiny-community grouping, centrality (labels) and RELATED: every projected edge in process;
   * the GDS engine only returns the kept (k-nearest-neighbour) ones.
   */
  edges: WeightedEdges;
  /** The edges communities were detected on (the kept ones): the fine split and the reported modularity use these. */
  detectionEdges: WeightedEdges;
  detection: Detection;
  /**
   * In process: the natural segments of every topic (natural.ts) and the same run's partition with another seed; the
   * coarse level is then these, not `detection` with its tiny communities grouped.
   */
  natural?: { membership: Int32Array; seedMembership: Int32Array | null };
}

/**
 * How a level's per-segment quality is measured (quality.ts): from the people in process, in the database for the GDS
 * engine. `membership` maps topics to 0..count-1 (negative: none).
 */
export type QualityStep = (membership: Int32Array, count: number) => CommunityQuality[] | Promise<CommunityQuality[]>;

export type SegmentsResult = Omit<PipelineResult, 'timings'>;

/**
 * In process (SEGMENTATION_ENGINE=graphology): projection, sparsification and Louvain here, then segmentDetected.
 * Mutates `interests` once: topics are renumbered in id order (InterestCollector.sortTopics), so the result does not
 * depend on the order the database streamed them in.
 */
export async function segmentInterests(
  interests: InterestCollector,
  meta: ReadonlyMap<string, TopicMeta>,
  params: RunParams,
  previous: PreviousRun | null,
  newId: (level: Level) => string,
): Promise<PipelineResult> {
  let t0 = performance.now();
  interests.sortTopics();
  // Only the k-nearest-neighbour edges (params.neighbours) come out of the pair table: what Louvain, labels and
  // RELATED use (RELATED is exact while relatedPerTopic ≤ neighbours).
  const p = project(interests, { ...params, maxCoreTopics: MAX_CORE_TOPICS });
  const projectMs = performance.now() - t0;
  // Between the long synchronous steps the event loop gets a turn: the run's heartbeat timer must be able to fire.
  await breathe();
  t0 = performance.now();
  const detectionEdges = { ...p, active: p.active };
  const detection = detectCommunities(detectionEdges, params);
  await breathe();
  const holders = new Holders(interests, interests.topicIds.length);
  const naturalOpts = { minSize: params.minSegmentSize, minSupport: params.minSupport, minPeople: params.minSupport };
  const natural = naturalCommunities(holders, detection, detectionEdges, { ...params, ...naturalOpts });
  await breathe();
  // The same run with another seed: how much of the partition is the data's and how much the traversal's.
  const t1 = performance.now();
  const otherSeed = { ...params, seed: (params.seed + 1) % 2 ** 31 };
  const again = naturalCommunities(holders, detectCommunities(detectionEdges, otherSeed), detectionEdges, { ...otherSeed, ...naturalOpts });
  await breathe();
  const seedMs = performance.now() - t1;
  const result = await segmentDetected(
    {
      topicIds: interests.topicIds,
      support: p.support,
      active: p.active,
      users: p.users,
      edges: detectionEdges,
      detectionEdges,
      detection,
      natural: { membership: natural.membership, seedMembership: again.membership },
    },
    meta,
    params,
    previous,
    newId,
    (_level, membership, communities) => audience(interests, membership, communities),
    peopleQuality(interests, params.minSupport),
  );
  await breathe();
  const t2 = performance.now();
  const hierarchy = coarseHierarchy(interests, result.segments, params.minSupport);
  const hierarchyMs = performance.now() - t2;
  let coreTopics = 0;
  for (let i = 0; i < p.nodeCount; i++) coreTopics += p.active[i]!;
  return {
    ...result,
    hierarchy,
    natural: {
      coreTopics,
      coreSupport: p.coreSupport,
      pieces: natural.pieces,
      merged: natural.merged,
      timings: {
        splitMs: Math.round(natural.timings.splitMs),
        mergeMs: Math.round(natural.timings.mergeMs),
        placeMs: Math.round(natural.timings.placeMs),
        seedMs: Math.round(seedMs),
        hierarchyMs: Math.round(hierarchyMs),
      },
    },
    timings: { projectMs, detectMs: performance.now() - t0 },
  };
}

/** The coarse segments of a run as leaves of its hierarchy ("Other interests" counted in people's totals, not a leaf). */
function coarseHierarchy(interests: InterestCollector, segments: readonly SegmentOut[], minPeople: number): Hierarchy {
  const coarse = segments.filter((s) => s.level === 'coarse');
  const leaves = coarse.filter((s) => !s.other);
  const membership = new Int32Array(interests.topicIds.length).fill(OUTSIDE);
  for (const s of coarse) {
    const leaf = s.other ? leaves.length : leaves.indexOf(s);
    for (const t of s.topics) {
      const i = interests.indexOf(t.id);
      if (i !== undefined) membership[i] = leaf;
    }
  }
  return buildHierarchy(
    interests,
    membership,
    leaves.map((s) => ({ id: s.id, share: s.share, topicCount: s.topicCount, significant: s.quality?.significant ?? false })),
    minPeople,
  );
}

function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** In process: a level's quality from the people (one pass over the interests). */
export function peopleQuality(people: PeopleView, minPeople: number): QualityStep {
  return (membership, count) => {
    let topics = 0;
    for (const c of membership) if (c >= 0) topics++;
    return communityQuality(cohesion(people, membership, count), topics, minPeople);
  };
}

/**
 * Everything after community detection, the same for both engines: tiny communities grouped (coarse), the fine level
 * (refineCommunities), labels and centrality, stable ids matched against the previous run, sizes (`audience`),
 * stability, RELATED neighbours and the modularity of the stored coarse partition.
 */
export async function segmentDetected(
  g: DetectedGraph,
  meta: ReadonlyMap<string, TopicMeta>,
  params: RunParams,
  previous: PreviousRun | null,
  newId: (level: Level) => string,
  audience: AudienceStep,
  measure?: QualityStep,
): Promise<SegmentsResult> {
  const { topicIds, detection: det, edges: graph, detectionEdges } = g;
  const names = topicIds.map((id) => meta.get(id)?.name ?? id);

  const coarse = pinTopics(g.natural?.membership ?? groupTiny(det.coarse, graph, params.minSegmentSize), topicIds, previous);
  // Louvain's first level nests in its own final partition, not in the natural segments.
  const firstLevel = !g.natural && det.levels > 1 ? det.firstLevel : null;
  const levels: Record<Level, Int32Array> = {
    coarse,
    fine: refineCommunities(coarse, detectionEdges, firstLevel, {
      resolution: params.resolution,
      seed: params.seed,
      minSize: params.minSegmentSize,
      nullSamples: FINE_NULL_SAMPLES,
    }),
  };
  const segments: SegmentOut[] = [];
  let seedNmi: number | null = null;
  const stability = {} as PipelineResult['stability'];
  const idOfCommunity: Record<Level, Map<number, string>> = { coarse: new Map(), fine: new Map() };
  for (const level of ['coarse', 'fine'] as const) {
    const membership = levels[level];
    const groups = communityMembers(membership);
    const centrality = internalDegree(membership, graph);
    const prev = (previous?.segments ?? []).filter((s) => s.level === level);
    const drafts = [...groups].map(([community, members]) => ({
      community,
      key: String(community),
      other: community === OTHER,
      members,
      topics: members.map((i) => topicIds[i]!),
    }));
    const matched = matchSegments(drafts, prev);
    const overlaps = new Map<string, number>();
    const ids = idOfCommunity[level];
    for (const d of drafts) {
      const m = matched.get(d.key);
      const id = m?.id ?? newId(level);
      ids.set(d.community, id);
      if (m) overlaps.set(id, m.overlap);
    }
    const sizes = await audience(level, membership, [...groups.keys()]);
    const quality = await measureLevel(membership, measure);
    const seed = level === 'coarse' && g.natural?.seedMembership ? seedAgreement(membership, g.natural.seedMembership) : null;
    for (const d of drafts) {
      const id = ids.get(d.community)!;
      const label = labelSegment(d.members, centrality, g.support, names, { other: d.other });
      // refineCommunities nests every fine community in one coarse community: any member names the parent.
      const parentId = level === 'fine' ? idOfCommunity.coarse.get(levels.coarse[d.members[0]!]!)! : null;
      segments.push({
        id,
        level,
        label: label.label,
        other: d.other,
        topicCount: d.members.length,
        userCount: sizes.users.get(d.community) ?? 0,
        share: sizes.share.get(d.community) ?? 0,
        parentId,
        topTopics: label.top.map((i) => ({ id: topicIds[i]!, name: names[i]! })),
        topics: label.ranked.map((r) => ({ id: topicIds[r.index]!, score: round(r.score) })),
        quality: segmentQuality(quality?.get(d.community), seed?.overlap.get(d.community), d.other),
      });
    }
    if (level === 'coarse') seedNmi = seed ? round(seed.nmi) : null;
    const current = drafts.map((d) => ({ id: ids.get(d.community)!, topics: d.topics, other: d.other }));
    stability[level] = compareRuns(previous?.runId ?? null, current, prev, overlaps);
  }
  segments.sort((a, b) => (a.level === b.level ? Number(a.other) - Number(b.other) || b.userCount - a.userCount : a.level === 'coarse' ? -1 : 1));

  const related: PipelineResult['related'] = [];
  topNeighbours(graph, params.relatedPerTopic).forEach((list, i) => {
    for (const n of list) related.push({ from: topicIds[i]!, to: topicIds[n.topic]!, weight: round(n.weight) });
  });
  // Segmented topics: in process every topic somebody holds (rare ones placed), from GDS the detected ones.
  let topics = 0;
  for (const c of coarse) topics += c === OUTSIDE ? 0 : 1;
  const coarseIds = idOfCommunity.coarse;
  const groupStats = async (groups: ReadonlyArray<readonly string[]>): Promise<GroupFigures[]> => {
    // Each group one community, every other segmented topic one more ("the rest"), so totals are the run's own.
    const groupOf = new Map<string, number>();
    groups.forEach((ids, i) => ids.forEach((id) => groupOf.set(id, i)));
    const rest = groups.length;
    const membership = Int32Array.from(levels.coarse, (c) => (c === OUTSIDE ? OUTSIDE : (groupOf.get(coarseIds.get(c)!) ?? rest)));
    const communities = Array.from({ length: rest + 1 }, (_, i) => i);
    const sizes = await audience('coarse', membership, communities);
    const quality = measure ? await measure(membership, rest + 1) : null;
    return groups.map((_, i) => ({
      userCount: sizes.users.get(i) ?? 0,
      share: sizes.share.get(i) ?? 0,
      quality: segmentQuality(quality?.[i], undefined, false),
    }));
  };
  return {
    groupStats,
    segments,
    related,
    stability,
    significantSegments: segments.filter((s) => s.level === 'coarse' && !s.other && s.quality?.significant).length,
    seedNmi,
    // Of the coarse partition as stored (tiny communities grouped), on the graph communities were detected on.
    modularity: modularity(coarse, detectionEdges, params.resolution),
    levels: det.levels,
    topics,
    edges: graph.edgeA.length,
    users: g.users,
  };
}

/**
 * Topics pinned to a segment of the previous run go to the community that inherits that segment: the ids this
 * membership would get (matched as the run matches them) and the previous run's lineage decide which one.
 */
function pinTopics(coarse: Int32Array, topicIds: readonly string[], previous: PreviousRun | null): Int32Array {
  const pins = previous?.pins ?? [];
  if (pins.length === 0) return coarse;
  const prev = previous!.segments.filter((s) => s.level === 'coarse');
  const drafts = [...communityMembers(coarse)].map(([community, members]) => ({
    key: String(community),
    community,
    other: community === OTHER,
    topics: members.map((i) => topicIds[i]!),
  }));
  const matched = matchSegments(drafts, prev);
  const communityOf = new Map<string, number>();
  for (const d of drafts) communityOf.set(matched.get(d.key)?.id ?? `new:${d.key}`, d.community);
  const overlaps = new Map([...matched.values()].map((m) => [m.id, m.overlap]));
  const lineage = compareRuns(previous!.runId, drafts.map((d) => ({ id: matched.get(d.key)?.id ?? `new:${d.key}`, topics: d.topics, other: d.other })), prev, overlaps);
  const indexOf = new Map(pins.map((p) => [p.topicId, -1]));
  topicIds.forEach((id, i) => {
    if (indexOf.has(id)) indexOf.set(id, i);
  });
  const out = Int32Array.from(coarse);
  for (const pin of pins) {
    const t = indexOf.get(pin.topicId)!;
    const target = descendants(pin.segmentId, lineage).map((id) => communityOf.get(id)).find((c) => c !== undefined && c !== OTHER);
    if (t >= 0 && target !== undefined) out[t] = target;
  }
  return out;
}

/** Users with at least one interest in each community, and each community's mean share of users' interest weight. */
function audience(interests: InterestCollector, membership: Int32Array, communities: number[]): CommunityAudience {
  const slot = new Map(communities.map((c, i) => [c, i]));
  const k = communities.length;
  const users = new Float64Array(k);
  const share = new Float64Array(k);
  const weight = new Float64Array(k);
  const touched: number[] = [];
  let segmentedUsers = 0;
  interests.forEachUser((topics, weights) => {
    let total = 0;
    for (let j = 0; j < topics.length; j++) {
      const c = membership[topics[j]!]!;
      if (c === OUTSIDE) continue;
      const s = slot.get(c)!;
      if (weight[s] === 0) touched.push(s);
      weight[s] = weight[s]! + weights[j]!;
      total += weights[j]!;
    }
    if (total > 0) segmentedUsers++;
    for (const s of touched) {
      users[s] = users[s]! + 1;
      share[s] = share[s]! + weight[s]! / total;
      weight[s] = 0;
    }
    touched.length = 0;
  });
  return {
    users: new Map(communities.map((c, i) => [c, users[i]!])),
    // Not rounded: it is the lift baseline of every segment of one (a 6-digit share of a small segment would skew lift).
    share: new Map(communities.map((c, i) => [c, segmentedUsers > 0 ? share[i]! / segmentedUsers : 0])),
  };
}

/** A level's quality per community (OTHER measured like the others: it is a segment people have affinity to). */
async function measureLevel(membership: Int32Array, measure: QualityStep | undefined): Promise<Map<number, CommunityQuality> | null> {
  if (!measure) return null;
  const dense = compact(Array.from(membership, (c) => (c === OTHER ? 2 ** 31 - 1 : c)));
  const byDense = await measure(dense.membership, dense.count);
  const out = new Map<number, CommunityQuality>();
  membership.forEach((c, i) => {
    if (c !== OUTSIDE && !out.has(c)) out.set(c, byDense[dense.membership[i]!]!);
  });
  return out;
}

/**
 * "Other interests" is measured but never significant: it is where topics without evidence go, not a finding. Nor is a
 * segment the run does not find again with another seed (quality.ts MIN_SEED_STABILITY).
 */
function segmentQuality(q: CommunityQuality | undefined, overlap: number | undefined, other: boolean): SegmentQuality | null {
  if (!q) return null;
  return {
    cohesion: round(q.cohesion),
    conductance: round(q.conductance),
    evidence: Math.round(q.evidence * 10) / 10,
    significant: q.significant && !other && (overlap === undefined || overlap >= MIN_SEED_STABILITY),
    seedStability: overlap === undefined ? null : round(overlap),
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
