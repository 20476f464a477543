/**
 * Everything after community detection, the same for both engines (pipeline.ts runs detection in process; the GDS
 * engine in the database): coarse and fine levels, labels, stable ids, sizes, quality, stability, RELATED.
 */
import { communityMembers, groupTiny, internalDegree, modularity, OTHER, OUTSIDE, refineCommunities } from './communities.js';
import { compact } from './cohesion.js';
import { labelSegment } from './labels.js';
import { topNeighbours } from './projection.js';
import { type CommunityQuality, MIN_SEED_STABILITY, seedAgreement } from './quality.js';
import { compareRuns, matchLineage, matchSegments } from './stability.js';
import { descendants } from './lineage.js';
import type { SegmentTopics } from './stability.js';
import type {
  DetectedGraph,
  Level,
  PreviousRun,
  QualityStep,
  RunParams,
  SegmentOut,
  SegmentQuality,
  SegmentsResult,
  TopicMeta,
  AudienceStep,
  PipelineResult,
  GroupFigures,
} from './run-types.js';
import { FINE_NULL_SAMPLES } from './run-types.js';

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
  let segmentedUsers = 0;
  const stability = {} as PipelineResult['stability'];
  const idOfCommunity: Record<Level, Map<number, string>> = { coarse: new Map(), fine: new Map() };
  for (const level of ['coarse', 'fine'] as const) {
    const membership = levels[level];
    const groups = communityMembers(membership);
    const centrality = internalDegree(membership, graph);
    const ofLevel = (list: ReadonlyArray<SegmentTopics & { level: Level }>) => list.filter((s) => s.level === level);
    const prev = ofLevel(previous?.segments ?? []);
    const lineage = previous
      ? [
          { runId: previous.runId, segments: prev },
          ...(previous.older ?? []).map((r) => ({ runId: r.runId, segments: ofLevel(r.segments) })),
        ]
      : [];
    const drafts = [...groups].map(([community, members]) => ({
      community,
      key: String(community),
      other: community === OTHER,
      members,
      topics: members.map((i) => topicIds[i]!),
    }));
    const matched = matchLineage(drafts, lineage);
    const overlaps = new Map<string, number>();
    const restored: string[] = [];
    const ids = idOfCommunity[level];
    for (const d of drafts) {
      const m = matched.get(d.key);
      const id = m?.id ?? newId(level);
      ids.set(d.community, id);
      // Only an overlap with the visible run's own segment counts for its stability report; an id found in an older
      // run is reported as restored.
      if (m && m.fromRunId === previous?.runId) overlaps.set(id, m.overlap);
      if (m && m.fromRunId !== previous?.runId) restored.push(id);
    }
    const sizes = await audience(level, membership, [...groups.keys()]);
    if (level === 'coarse') segmentedUsers = sizes.segmented;
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
    stability[level] = { ...compareRuns(previous?.runId ?? null, current, prev, overlaps), restored: restored.sort() };
  }
  segments.sort((a, b) =>
    a.level === b.level ? Number(a.other) - Number(b.other) || b.userCount - a.userCount : a.level === 'coarse' ? -1 : 1,
  );

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
    segmentedUsers,
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
  const lineage = compareRuns(
    previous!.runId,
    drafts.map((d) => ({ id: matched.get(d.key)?.id ?? `new:${d.key}`, topics: d.topics, other: d.other })),
    prev,
    overlaps,
  );
  const indexOf = new Map(pins.map((p) => [p.topicId, -1]));
  topicIds.forEach((id, i) => {
    if (indexOf.has(id)) indexOf.set(id, i);
  });
  const out = Int32Array.from(coarse);
  for (const pin of pins) {
    const t = indexOf.get(pin.topicId)!;
    const target = descendants(pin.segmentId, lineage)
      .map((id) => communityOf.get(id))
      .find((c) => c !== undefined && c !== OTHER);
    if (t >= 0 && target !== undefined) out[t] = target;
  }
  return out;
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
