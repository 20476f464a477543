/**
 * Segment-of-one scoring. Pure: no database, no HTTP, so it is unit-tested with seeded random data and shared by
 * every read of a segment of one (segment-of-one.ts).
 *
 * Definitions (the same everywhere, see docs/graph-model.md):
 * - affinity(u, s) = Σ weight of u's interests whose topic is in segment s / Σ weight of u's interests that are in
 *   any segment of the run. Over a user's segments it sums to 1; a user without segmented interest has none.
 * - share(s) = mean of affinity(u, s) over every consenting user with segmented interest when the run was computed
 *   (the run writes it on the segment: src/segmentation/pipeline.ts). The shares of a run sum to 1, so share is "the
 *   segment's share over all users".
 * - lift(u, s) = affinity(u, s) / share(s): 1 is the population average, 3 is three times it.
 */

export interface Interest {
  topicId: string;
  name: string;
  weight: number;
}

export interface RelatedTopic {
  id: string;
  name: string;
  weight: number;
}

export interface SegmentAffinity {
  segmentId: string;
  affinity: number;
  /** Names of the user's topics that fall in the segment, heaviest first. */
  topics: string[];
}

export interface ScoredSegment extends SegmentAffinity {
  label: string;
  lift: number;
}

export interface SuggestedTopic {
  id: string;
  name: string;
  score: number;
}

export const MAX_TOPICS_PER_SEGMENT = 10;
export const MAX_SUGGESTED_TOPICS = 10;

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function byWeightThenName(a: Interest, b: Interest): number {
  return b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Affinities of one user, sorted by affinity (descending), then segment id for a stable order. */
export function segmentAffinities(
  interests: readonly Interest[],
  segmentOf: (topicId: string) => string | undefined,
  maxTopics = MAX_TOPICS_PER_SEGMENT,
): SegmentAffinity[] {
  const bySegment = new Map<string, { weight: number; interests: Interest[] }>();
  let total = 0;
  for (const i of interests) {
    if (!(i.weight > 0) || !Number.isFinite(i.weight)) continue;
    const segmentId = segmentOf(i.topicId);
    if (segmentId === undefined) continue;
    let entry = bySegment.get(segmentId);
    if (!entry) bySegment.set(segmentId, (entry = { weight: 0, interests: [] }));
    entry.weight += i.weight;
    entry.interests.push(i);
    total += i.weight;
  }
  if (total === 0) return [];
  return [...bySegment.entries()]
    .map(([segmentId, e]) => ({
      segmentId,
      affinity: e.weight / total,
      topics: e.interests
        .sort(byWeightThenName)
        .slice(0, maxTopics)
        .map((i) => i.name),
    }))
    .sort((a, b) => b.affinity - a.affinity || (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
}

/**
 * Adds labels and lift. A segment whose share is unknown or 0 (no user had it at the end of the run, but an
 * incremental update now gives it to someone) gets lift 0 rather than infinity: there is no population to compare to.
 */
export function scoreSegments(
  affinities: readonly SegmentAffinity[],
  shareOf: (segmentId: string) => number | undefined,
  labelOf: (segmentId: string) => string,
): ScoredSegment[] {
  return affinities.map((a) => {
    const share = shareOf(a.segmentId);
    return {
      segmentId: a.segmentId,
      label: labelOf(a.segmentId),
      affinity: round(a.affinity, 6),
      lift: share && share > 0 ? round(a.affinity / share, 4) : 0,
      topics: a.topics,
    };
  });
}

/**
 * Topics related (co-interest graph) to the user's topics that the user neither has nor removed.
 * score(x) = Σ over the user's topics t of (weight share of t in the user's interests) × (weight(t→x) / strongest
 * weight out of t), so it lies in 0..1 and favours topics close to what the user cares about most.
 */
export function suggestTopics(
  interests: readonly Interest[],
  relatedOf: (topicId: string) => readonly RelatedTopic[] | undefined,
  exclude: ReadonlySet<string> = new Set(),
  limit = MAX_SUGGESTED_TOPICS,
): SuggestedTopic[] {
  let total = 0;
  for (const i of interests) if (i.weight > 0 && Number.isFinite(i.weight)) total += i.weight;
  if (total === 0) return [];
  const own = new Set(interests.map((i) => i.topicId));
  const scores = new Map<string, { name: string; score: number }>();
  for (const i of interests) {
    if (!(i.weight > 0) || !Number.isFinite(i.weight)) continue;
    const related = relatedOf(i.topicId);
    const near = related && related.length > 0 ? neighbourhoodOf(related) : null;
    if (!near) continue;
    const share = i.weight / total;
    for (let k = 0; k < near.ids.length; k++) {
      const id = near.ids[k]!;
      if (own.has(id) || exclude.has(id)) continue;
      const entry = scores.get(id);
      if (entry) entry.score += share * near.relative[k]!;
      else scores.set(id, { name: near.names[k]!, score: share * near.relative[k]! });
    }
  }
  return topSuggestions(scores, limit);
}

/** A topic's neighbours, each once at its strongest, with their weight relative to the strongest: null when none counts. */
interface Neighbourhood {
  ids: string[];
  names: string[];
  relative: Float64Array;
}

/**
 * Keyed by the related list itself: a run's model hands out the same list for a topic on every read, so each is
 * de-duplicated and scaled once per run instead of once per request (this was a fifth of an affinity read's CPU).
 */
const neighbourhoods = new WeakMap<readonly RelatedTopic[], Neighbourhood | null>();

function neighbourhoodOf(related: readonly RelatedTopic[]): Neighbourhood | null {
  let near = neighbourhoods.get(related);
  if (near === undefined) {
    near = neighbourhood(related);
    neighbourhoods.set(related, near);
  }
  return near;
}

function neighbourhood(related: readonly RelatedTopic[]): Neighbourhood | null {
  // A neighbour listed twice (an edge stored in both directions) counts once, at its strongest.
  const strongestOf = new Map<string, RelatedTopic>();
  for (const r of related) {
    if (r.weight > 0 && r.weight > (strongestOf.get(r.id)?.weight ?? 0)) strongestOf.set(r.id, r);
  }
  let strongest = 0;
  for (const r of strongestOf.values()) strongest = Math.max(strongest, r.weight);
  if (!(strongest > 0)) return null;
  const list = [...strongestOf.values()];
  return { ids: list.map((r) => r.id), names: list.map((r) => r.name), relative: Float64Array.from(list, (r) => r.weight / strongest) };
}

/** The `limit` best by rounded score, then name; equal ones keep their first-seen order (as a stable sort would). */
function topSuggestions(scores: ReadonlyMap<string, { name: string; score: number }>, limit: number): SuggestedTopic[] {
  const top: SuggestedTopic[] = [];
  for (const [id, e] of scores) {
    const candidate = { id, name: e.name, score: round(e.score, 4) };
    let at = top.length;
    while (at > 0 && ranksBefore(candidate, top[at - 1]!)) at--;
    if (at >= limit) continue;
    top.splice(at, 0, candidate);
    if (top.length > limit) top.pop();
  }
  return top;
}

function ranksBefore(a: SuggestedTopic, b: SuggestedTopic): boolean {
  return a.score > b.score || (a.score === b.score && a.name < b.name);
}
