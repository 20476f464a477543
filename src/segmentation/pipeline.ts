/**
 * The pure part of a run: interests (or, from the GDS engine, detected communities) in, segments (both levels) with
 * labels, sizes, stable ids and stability out. No I/O here (the GDS engine injects its database audience step), so the
 * whole algorithm is unit-tested on planted data with seeded randomness.
 */
import { detectCommunities, OTHER, OUTSIDE } from './communities.js';
import { cohesion, type PeopleView } from './cohesion.js';
import { coreCommunities, naturalCommunities } from './natural.js';
import { Holders, placeTopics } from './placement.js';
import { type InterestCollector, project } from './projection.js';
import { communityQuality } from './quality.js';
import { buildHierarchy, type Hierarchy } from './hierarchy.js';
import { segmentDetected } from './segment-detected.js';
import {
  type CommunityAudience,
  DETECTION_SAMPLE,
  MAX_CORE_TOPICS,
  type PipelineResult,
  type PreviousRun,
  type QualityStep,
  type RunParams,
  type SegmentOut,
  type TopicMeta,
  type Level,
} from './run-types.js';

export * from './run-types.js';

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
  const sample = interests.sample(Math.ceil(interests.users / DETECTION_SAMPLE));
  // Only the k-nearest-neighbour edges (params.neighbours) come out of the pair table: what Louvain, labels and
  // RELATED use (RELATED is exact while relatedPerTopic ≤ neighbours).
  const p = project(sample, { ...params, maxCoreTopics: MAX_CORE_TOPICS });
  const projectMs = performance.now() - t0;
  // Between the long synchronous steps the event loop gets a turn: the run's heartbeat timer must be able to fire.
  await breathe();
  t0 = performance.now();
  const detectionEdges = { ...p, active: p.active };
  const detection = detectCommunities(detectionEdges, params);
  await breathe();
  const holders = new Holders(sample, interests.topicIds.length);
  const naturalOpts = { minSize: params.minSegmentSize, minSupport: params.minSupport, minPeople: params.minSupport };
  const natural = naturalCommunities(holders, detection, detectionEdges, { ...params, ...naturalOpts });
  await breathe();
  const full = sample === interests ? null : new Holders(interests, interests.topicIds.length);
  const membership = full ? placeOutsideSample(full, natural.membership, natural.count, p.active, params.minSupport) : natural.membership;
  await breathe();
  // The same run with another seed: how much of the partition is the data's and how much the traversal's.
  const t1 = performance.now();
  const otherSeed = { ...params, seed: (params.seed + 1) % 2 ** 31 };
  // Compared on the core topics (detection, split, merge): placement after it only follows people's evidence, and
  // costs as much again as the rest of a run.
  const again = coreCommunities(sample, detectCommunities(detectionEdges, otherSeed), detectionEdges, otherSeed);
  await breathe();
  const seedMs = performance.now() - t1;
  const result = await segmentDetected(
    {
      topicIds: interests.topicIds,
      support: full ? supportOf(full) : p.support,
      active: p.active,
      users: interests.users,
      edges: detectionEdges,
      detectionEdges,
      detection,
      natural: { membership, seedMembership: again.membership },
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
  // Everyone, not the sample: the hierarchy also measures each group's people and share, which marketers read.
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

/**
 * Above DETECTION_SAMPLE people, detection saw a sample: every topic it did not take part in (not core in the sample)
 * is placed again from all its holders, with the segments found (one placement pass, no inertia: those topics have
 * no graph evidence); the core topics keep their segments. Topics still without evidence are OTHER, or OUTSIDE every
 * segment when fewer than `minSupport` people hold them (as natural.ts decides on everyone).
 */
function placeOutsideSample(full: Holders, membership: Int32Array, count: number, core: Uint8Array, minSupport: number): Int32Array {
  const placed = placeTopics(full, membership, count, { movable: (t) => core[t] !== 1 });
  return Int32Array.from(placed, (c, t) => (c >= 0 ? c : full.support(t) >= minSupport ? OTHER : OUTSIDE));
}

function supportOf(h: Holders): Int32Array {
  return Int32Array.from({ length: h.topicCount }, (_, t) => h.support(t));
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
    segmented: segmentedUsers,
  };
}
