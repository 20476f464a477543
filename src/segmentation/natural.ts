/**
 * From Louvain's communities of the frequent ("core") topics to the natural segments of every topic:
 * 1. split: each Louvain community is cut again by Louvain on its own edges. Modularity's resolution limit makes
 *    Louvain merge communities smaller than about √(total edge weight) on a large graph; inside one community the
 *    scale is that community's, so merged small communities come apart (and large ones are over-split, step 2's job);
 * 2. merge (cohesion.ts mergeCohesive): pieces that people hold together as one (lift between them as high as within
 *    them) are merged back, by a ratio that depends neither on the number of people nor of topics;
 * 3. place (placement.ts): every topic, rare ones included, goes to the community its holders' other interests point
 *    to; twice, the second time with the first pass's rare topics informing their holders;
 * 4. significance (quality.ts): significant communities are kept whatever their size (a real small community is a
 *    finding, not noise); when some are significant the others are dissolved and their topics placed among the
 *    significant ones. With none significant (data without communities) those with at least `minSize` topics stay,
 *    all reported as not significant, and the rest is dissolved into them (or into OTHER when none is that large).
 * Topics none of whose holders has another placed interest have no evidence: OTHER ("Other interests"), or OUTSIDE
 * every segment when fewer than `minSupport` people hold them (as before placement existed: a topic one person likes
 * and nothing else links is no segment's).
 * Every step is linear in interests (plus Louvain on the core graph), so the same defaults hold from 5k to 1M people.
 */
import { cohesion, compact, mergeCohesive, type PeopleView, remap } from './cohesion.js';
import { type Detection, OTHER, OUTSIDE, refineCommunities, type WeightedEdges } from './communities.js';
import { Holders, placeTopics } from './placement.js';
import { type CommunityQuality, communityQuality } from './quality.js';

/** Two pieces merge when their lift reaches half the geometric mean of their own lifts (see mergeCohesive). */
export const MERGE_RATIO = 0.5;
/** Placement passes over every topic before significance, then one after dissolving. */
export const PLACEMENT_PASSES = 2;
/**
 * A core topic moves only for 50% more log-likelihood elsewhere (placement.ts): where people's evidence is ambiguous
 * the graph's (Louvain, merge) decides.
 */
export const PLACEMENT_INERTIA = 0.5;

export interface NaturalOptions {
  resolution: number;
  seed: number;
  /** When no community is significant, those with fewer topics are dissolved. */
  minSize: number;
  /** Topics held by fewer people and without evidence stay out of every segment (more: "Other interests"). */
  minSupport: number;
  /** People a significant community needs holding two of its topics (quality.ts). */
  minPeople: number;
}

export interface NaturalCommunities {
  /** Community per topic: 0..count-1, OTHER when no holder has another placed interest. */
  membership: Int32Array;
  count: number;
  quality: CommunityQuality[];
  /** Pieces after the split (step 1) and communities after the merge (step 2), for the run's metrics. */
  pieces: number;
  merged: number;
  timings: { splitMs: number; mergeMs: number; placeMs: number };
}

/**
 * `detection` covers the core topics over `edges` (the graph Louvain ran on); `holders` every topic and person.
 * Deterministic for a seed.
 */
export function naturalCommunities(holders: Holders, detection: Detection, edges: WeightedEdges, opts: NaturalOptions): NaturalCommunities {
  const people: PeopleView = holders.people;
  const core = coreCommunities(people, detection, edges, opts);
  const { pieces } = core;
  let membership = core.membership;
  const { splitMs, mergeMs } = core.timings;

  const t0 = performance.now();
  // Inertia for the topics detection saw (their place has the graph's evidence too), not for rare ones.
  const settled = (t: number) => edges.active === undefined || edges.active[t] === 1;
  for (let pass = 0; pass < PLACEMENT_PASSES; pass++) {
    const c = compact(membership);
    membership = placeTopics(holders, c.membership, c.count, { inertia: PLACEMENT_INERTIA, settled });
  }
  let current = compact(membership);
  let topics = segmented(current.membership);
  let quality = communityQuality(cohesion(people, current.membership, current.count), topics, opts.minPeople);
  const sizes = new Int32Array(current.count);
  for (const c of current.membership) if (c >= 0) sizes[c]!++;
  const anySignificant = quality.some((q) => q.significant);
  const keep = quality.map((q, c) => q.significant || (!anySignificant && sizes[c]! >= opts.minSize));
  if (!keep.every(Boolean)) {
    membership = keep.some(Boolean)
      ? placeTopics(holders, current.membership, current.count, { allowed: (c) => keep[c]!, inertia: PLACEMENT_INERTIA, settled })
      : current.membership.map((c) => (c >= 0 ? OTHER : c));
    current = compact(membership);
    topics = segmented(current.membership);
    quality = communityQuality(cohesion(people, current.membership, current.count), topics, opts.minPeople);
  }
  const placeMs = performance.now() - t0;
  const out = Int32Array.from(current.membership, (c, t) => (c >= 0 ? c : holders.support(t) >= opts.minSupport ? OTHER : OUTSIDE));
  return {
    membership: out,
    count: current.count,
    quality,
    pieces,
    merged: core.count,
    timings: { splitMs, mergeMs, placeMs },
  };
}

/**
 * Steps 1 and 2 alone: the communities of the topics detection saw (others OUTSIDE). What a second seed is compared
 * on (pipeline.ts): the traversal's part in the result is decided here, placement only follows people's evidence.
 */
export function coreCommunities(
  people: PeopleView,
  detection: Detection,
  edges: WeightedEdges,
  opts: Pick<NaturalOptions, 'resolution' | 'seed'>,
): { membership: Int32Array; count: number; pieces: number; timings: { splitMs: number; mergeMs: number } } {
  let t0 = performance.now();
  const split = refineCommunities(detection.coarse, edges, null, {
    resolution: opts.resolution,
    seed: opts.seed,
    minSize: 1,
    // Every split is kept: step 2 undoes the ones people do not support.
    nullSamples: 0,
  });
  const pieces = compact(split);
  const splitMs = performance.now() - t0;
  t0 = performance.now();
  const merge = mergeCohesive(cohesion(people, pieces.membership, pieces.count), MERGE_RATIO);
  const membership = remap(pieces.membership, merge.map);
  return { membership, count: merge.count, pieces: pieces.count, timings: { splitMs, mergeMs: performance.now() - t0 } };
}

function segmented(membership: Int32Array): number {
  let n = 0;
  for (const c of membership) if (c >= 0) n++;
  return n;
}
