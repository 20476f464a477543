/**
 * Topics placed where their people sit. Given communities for some topics, every topic (rare ones the graph never
 * saw included) goes to the community its holders' *other* interests point to.
 *
 * The score is a likelihood: if t belongs to X, a holder u picked it with probability proportional to
 * (1 − ν) θ_u(X) / θ̄_X + ν, where θ_u(X) is u's affinity to X without t itself, θ̄_X the population's mean affinity
 * to X (a topic of a popular community is not evidence of anything) and ν the chance that an interest is unrelated to
 * the person's communities (noise). Summed in logs over the holders and shifted by the constant:
 *   score(t, X) = Σ_{u ∋ t} ln(1 + (1−ν)/ν · θ_u(X) / θ̄_X)
 * so one holder gives the community where they are most over-represented, and many holders agree on the community
 * they all share, not on the one that happens to be each one's largest. A topic none of whose holders has any other
 * placed interest has no evidence: it stays unplaced (the caller's "Other interests").
 * Cost per pass: O(Σ_t Σ_{u∋t} k_u), k_u the communities a person touches (≤ their interests).
 */
import type { PeopleView } from './cohesion.js';

/** ν: share of a person's interests assumed unrelated to their communities. */
export const PLACEMENT_NOISE = 0.2;

/** Topic → holders (user, weight): the interests transposed once per run (8 bytes an interest), reused by every pass. */
export class Holders {
  readonly offsets: Int32Array;
  readonly users: Int32Array;
  readonly weights: Float32Array;
  readonly userCount: number;
  readonly interests: number;

  constructor(
    readonly people: PeopleView,
    readonly topicCount: number,
  ) {
    const counts = new Int32Array(topicCount + 1);
    let edges = 0;
    let users = 0;
    people.forEachUser((topics) => {
      for (let j = 0; j < topics.length; j++) counts[topics[j]! + 1]!++;
      edges += topics.length;
      users++;
    });
    for (let t = 0; t < topicCount; t++) counts[t + 1] = counts[t + 1]! + counts[t]!;
    this.offsets = counts;
    this.users = new Int32Array(edges);
    this.weights = new Float32Array(edges);
    this.userCount = users;
    this.interests = edges;
    const fill = Int32Array.from(counts.subarray(0, topicCount));
    people.forEachUser((topics, weights, u) => {
      for (let j = 0; j < topics.length; j++) {
        const at = fill[topics[j]!]!++;
        this.users[at] = u;
        this.weights[at] = weights[j]!;
      }
    });
  }

  support(t: number): number {
    return this.offsets[t + 1]! - this.offsets[t]!;
  }
}

export interface PlacementOptions {
  /** Topics that may be moved (default: all); the others keep their community but still inform their holders. */
  movable?: (topic: number) => boolean;
  /** Communities a topic may join (default: all). */
  allowed?: (community: number) => boolean;
  noise?: number;
  /**
   * A topic that already has an (allowed) community leaves it only for a score this much higher (0.5: 50% more
   * log-likelihood): ambiguous topics keep what the graph gave them, clearly misplaced ones move.
   */
  inertia?: number;
  /** Topics inertia applies to (default: all). */
  settled?: (topic: number) => boolean;
}

/**
 * One pass: every movable topic gets the community with the highest score, computed from everybody's affinities under
 * `membership` (each holder's own topic left out). Communities are 0..count-1; negative membership = no community.
 * Movable topics without evidence get -1. Returns the new membership (a copy).
 */
export function placeTopics(h: Holders, membership: ArrayLike<number>, count: number, opts: PlacementOptions = {}): Int32Array {
  const nu = opts.noise ?? PLACEMENT_NOISE;
  const gain = (1 - nu) / nu;
  const U = h.userCount;
  // Per user: total placed weight, and their communities as a CSR of (community, weight) (at most one per interest).
  const total = new Float64Array(U);
  const cOffsets = new Int32Array(U + 1);
  const cIds = new Int32Array(h.interests);
  const cWeights = new Float64Array(h.interests);
  const mean = new Float64Array(count);
  const scratch = new Float64Array(count);
  const touched: number[] = [];
  let placedPeople = 0;
  let n = 0;
  h.people.forEachUser((topics, weights, u) => {
    for (let j = 0; j < topics.length; j++) {
      const c = membership[topics[j]!]!;
      if (c < 0 || !(weights[j]! > 0)) continue;
      if (scratch[c] === 0) touched.push(c);
      scratch[c] = scratch[c]! + weights[j]!;
      total[u] = total[u]! + weights[j]!;
    }
    touched.sort((a, b) => a - b);
    for (const c of touched) {
      cIds[n] = c;
      cWeights[n++] = scratch[c]!;
      mean[c] = mean[c]! + scratch[c]! / total[u]!;
      scratch[c] = 0;
    }
    if (touched.length) placedPeople++;
    touched.length = 0;
    cOffsets[u + 1] = n;
  });
  // θ̄_X over everybody with a placed interest; the score's constant factor gain / θ̄_X, once per community.
  const factor = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    mean[c] = placedPeople > 0 ? mean[c]! / placedPeople : 0;
    factor[c] = gain / mean[c]!;
  }

  // The inner loop runs once per (interest, community of its holder): locals, no property loads or closures in it.
  const { offsets, users, weights } = h;
  const out = Int32Array.from(membership);
  for (let t = 0; t < h.topicCount; t++) {
    if (opts.movable && !opts.movable(t)) continue;
    const own = membership[t]!;
    let evidence = false;
    for (let i = offsets[t]!; i < offsets[t + 1]!; i++) {
      const u = users[i]!;
      const w = own >= 0 ? weights[i]! : 0;
      const rest = total[u]! - w;
      if (!(rest > 1e-12)) continue;
      evidence = true;
      const perRest = 1 / rest;
      for (let j = cOffsets[u]!, end = cOffsets[u + 1]!; j < end; j++) {
        const c = cIds[j]!;
        const a = c === own ? cWeights[j]! - w : cWeights[j]!;
        if (!(a > 1e-12)) continue;
        if (scratch[c] === 0) touched.push(c);
        scratch[c] = scratch[c]! + Math.log1p(factor[c]! * a * perRest);
      }
    }
    let best = -1;
    let bestScore = 0;
    const stays = own >= 0 && (!opts.allowed || opts.allowed(own)) && (!opts.settled || opts.settled(t));
    const ownScore = stays ? scratch[own]! : 0;
    for (const c of touched) {
      const s = scratch[c]!;
      scratch[c] = 0;
      if (opts.allowed && !opts.allowed(c)) continue;
      if (s > bestScore || (s === bestScore && best >= 0 && c < best)) {
        best = c;
        bestScore = s;
      }
    }
    touched.length = 0;
    if (stays && best !== own && bestScore <= ownScore * (1 + (opts.inertia ?? 0))) best = own;
    out[t] = evidence && best >= 0 ? best : -1;
  }
  return out;
}
