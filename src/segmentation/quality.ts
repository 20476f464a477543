/**
 * Per-segment quality, from the people's co-interest statistics (cohesion.ts):
 * - `cohesion`: the segment's lift with itself, N S_XX / M_X²: how much more often than chance a person who holds one
 *   of its topics holds another one of them (1 = chance);
 * - `conductance`: the share of the segment's co-interest that leaves it, cut / min(vol, total − vol) on the
 *   person-normalised co-interest graph (0 = a closed world, 1 = no different from the rest);
 * - `evidence` and `significant`: a test against the null model where people pick topics independently of each other
 *   (topic popularity and each person's number of interests kept). O = pairs of the segment's topics held by one
 *   person, E = the expected number under the null (Σ_u C(k_u, 2) π_X², π_X the segment's share of all interests);
 *   evidence = the Poisson log-likelihood ratio 2 (O ln(O/E) − (O − E)) when O > E, else 0. A run builds its segments
 *   by searching for exactly such excess, so the bar is a Bonferroni bound over every pair of topics the search could
 *   have started from: significant when evidence ≥ 2 ln(T(T−1)/2 / α) (α = 0.05, T segmented topics), the excess
 *   is worth naming (cohesion ≥ MIN_COHESION) and at least `minPeople` people hold two of its topics (the run's
 *   minSupport, as for an edge). On
 *   data without communities nothing passes; planted communities pass with evidence in the thousands and more.
 * - `seedStability` (seedAgreement): the overlap with the best-matching segment of the same run repeated with another
 *   seed; where it is measured (coarse level, in process) a segment below MIN_SEED_STABILITY is not significant.
 */
import type { Cohesion } from './cohesion.js';
import { selfLift } from './cohesion.js';
import { nmi } from './stability.js';
import { OUTSIDE } from './communities.js';

export const SIGNIFICANCE_ALPHA = 0.05;
/**
 * A segment the same run does not find again with another seed (best Jaccard overlap below this) is not significant,
 * whatever its evidence: the search picks groups with excess co-interest even in noise, but not the same ones twice.
 * Measured: planted communities ≥ 0.9, groups Louvain carves out of structureless data ≤ 0.2.
 */
export const MIN_SEED_STABILITY = 0.5;
/** Below this lift a group of topics is not a segment worth naming, however much data supports it. */
export const MIN_COHESION = 1.5;

export interface CommunityQuality {
  cohesion: number;
  conductance: number;
  evidence: number;
  significant: boolean;
}

export function significanceBar(topics: number, alpha = SIGNIFICANCE_ALPHA): number {
  const pairs = Math.max(1, (topics * (topics - 1)) / 2);
  return 2 * Math.log(pairs / alpha);
}

export function evidence(c: Cohesion, x: number): number {
  if (c.totalSlots === 0) return 0;
  const share = c.slots[x]! / c.totalSlots;
  const expected = c.totalPairs * share * share;
  const observed = c.coPairs[x]!;
  if (!(observed > expected) || expected <= 0) return 0;
  return 2 * (observed * Math.log(observed / expected) - (observed - expected));
}

/**
 * Quality of every community 0..count-1; `topics` = segmented topics (the size of the search). `totalVol` is the
 * whole co-interest volume, by default the sum over the communities (right when they partition the segmented topics;
 * hierarchy.ts passes it for overlapping groups).
 */
export function communityQuality(c: Cohesion, topics: number, minPeople = 1, totalVol?: number): CommunityQuality[] {
  const bar = significanceBar(topics);
  let total = totalVol ?? 0;
  if (totalVol === undefined) for (let i = 0; i < c.count; i++) total += c.self[i]! + c.cut[i]!;
  return Array.from({ length: c.count }, (_, x) => {
    const lift = selfLift(c, x);
    const g = evidence(c, x);
    const vol = c.self[x]! + c.cut[x]!;
    const denominator = Math.min(vol, total - vol);
    return {
      cohesion: lift,
      conductance: denominator > 0 ? Math.min(1, c.cut[x]! / denominator) : 0,
      evidence: g,
      significant: g >= bar && lift >= MIN_COHESION && c.coPeople[x]! >= minPeople,
    };
  });
}

/**
 * Agreement of two partitions of the same topics (the run and the run repeated with another seed): NMI over the
 * topics both place (OUTSIDE ignored; OTHER is a label like any other), and for each community of `a` the Jaccard
 * overlap of its topics with the best-matching community of `b`. Linear in topics.
 */
export function seedAgreement(a: ArrayLike<number>, b: ArrayLike<number>): { nmi: number; overlap: Map<number, number> } {
  const la: number[] = [];
  const lb: number[] = [];
  const sizeA = new Map<number, number>();
  const sizeB = new Map<number, number>();
  const joint = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === OUTSIDE || y === OUTSIDE) continue;
    la.push(x);
    lb.push(y);
    sizeA.set(x, (sizeA.get(x) ?? 0) + 1);
    sizeB.set(y, (sizeB.get(y) ?? 0) + 1);
    const key = `${x} ${y}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
  }
  const overlap = new Map<number, number>();
  for (const [key, both] of joint) {
    const [x, y] = key.split(' ').map(Number) as [number, number];
    const j = both / (sizeA.get(x)! + sizeB.get(y)! - both);
    if (j > (overlap.get(x) ?? 0)) overlap.set(x, j);
  }
  return { nmi: nmi(la, lb), overlap };
}
