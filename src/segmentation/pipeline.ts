/**
 * The pure part of a run: interests in, segments (both levels) with labels, sizes, stable ids and stability out.
 * No I/O here, so the whole algorithm is unit-tested on planted data with seeded randomness.
 */
import { communityMembers, detectCommunities, groupTiny, internalDegree, modularity, OTHER, OUTSIDE, refineCommunities } from './communities.js';
import { labelSegment } from './labels.js';
import { type InterestCollector, project, type Projection, sparsify, topNeighbours, type Weighting } from './projection.js';
import { compareRuns, matchSegments, type SegmentTopics, type Stability } from './stability.js';

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
}

export const DEFAULT_PARAMS: RunParams = {
  resolution: 1,
  seed: 42,
  weighting: 'npmi',
  minSupport: 2,
  maxTopicsPerUser: 50,
  minSegmentSize: 3,
  neighbours: 30,
  relatedPerTopic: 10,
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
}

export interface PreviousRun {
  runId: string;
  segments: Array<SegmentTopics & { level: Level }>;
}

export interface PipelineResult {
  segments: SegmentOut[];
  related: Array<{ from: string; to: string; weight: number }>;
  stability: { coarse: Stability; fine: Stability };
  modularity: number;
  levels: number;
  topics: number;
  edges: number;
  users: number;
  timings: { projectMs: number; detectMs: number };
}

/** Random graphs a fine split must beat (a permutation test at the 10% level; see refineCommunities). */
export const FINE_NULL_SAMPLES = 9;

/**
 * Mutates `interests` once: topics are renumbered in id order (InterestCollector.sortTopics), so the result does not
 * depend on the order the database streamed them in.
 */
export function segmentInterests(
  interests: InterestCollector,
  meta: ReadonlyMap<string, TopicMeta>,
  params: RunParams,
  previous: PreviousRun | null,
  newId: (level: Level) => string,
): PipelineResult {
  let t0 = performance.now();
  interests.sortTopics();
  const p = project(interests, params);
  const projectMs = performance.now() - t0;
  t0 = performance.now();
  const keep = sparsify(p, params.neighbours);
  const louvainGraph = { ...p, keep, active: p.active };
  const det = detectCommunities(louvainGraph, params);
  const graph = { ...p, active: p.active };
  const names = interests.topicIds.map((id) => meta.get(id)?.name ?? id);

  const coarse = groupTiny(det.coarse, graph, params.minSegmentSize);
  const levels: Record<Level, Int32Array> = {
    coarse,
    fine: refineCommunities(coarse, louvainGraph, det.levels > 1 ? det.firstLevel : null, {
      resolution: params.resolution,
      seed: params.seed,
      minSize: params.minSegmentSize,
      nullSamples: FINE_NULL_SAMPLES,
    }),
  };
  const segments: SegmentOut[] = [];
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
      topics: members.map((i) => interests.topicIds[i]!),
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
    const sizes = audience(interests, membership, [...groups.keys()]);
    for (const d of drafts) {
      const id = ids.get(d.community)!;
      const label = labelSegment(d.members, centrality, p.support, names, { other: d.other });
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
        topTopics: label.top.map((i) => ({ id: interests.topicIds[i]!, name: names[i]! })),
        topics: label.ranked.map((r) => ({ id: interests.topicIds[r.index]!, score: round(r.score) })),
      });
    }
    const current = drafts.map((d) => ({ id: ids.get(d.community)!, topics: d.topics, other: d.other }));
    stability[level] = compareRuns(previous?.runId ?? null, current, prev, overlaps);
  }
  segments.sort((a, b) => (a.level === b.level ? Number(a.other) - Number(b.other) || b.userCount - a.userCount : a.level === 'coarse' ? -1 : 1));

  const related: PipelineResult['related'] = [];
  topNeighbours(p, params.relatedPerTopic).forEach((list, i) => {
    for (const n of list) related.push({ from: interests.topicIds[i]!, to: interests.topicIds[n.topic]!, weight: round(n.weight) });
  });
  const detectMs = performance.now() - t0;
  return {
    segments,
    related,
    stability,
    // Of the coarse partition as stored (tiny communities grouped), on the graph Louvain saw.
    modularity: modularity(coarse, louvainGraph, params.resolution),
    levels: det.levels,
    topics: countActive(p),
    edges: p.edgeA.length,
    users: p.users,
    timings: { projectMs, detectMs },
  };
}

/** Users with at least one interest in each community, and each community's mean share of users' interest weight. */
function audience(interests: InterestCollector, membership: Int32Array, communities: number[]) {
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
    share: new Map(communities.map((c, i) => [c, segmentedUsers > 0 ? round(share[i]! / segmentedUsers) : 0])),
  };
}

function countActive(p: Projection): number {
  let n = 0;
  for (const a of p.active) n += a;
  return n;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
