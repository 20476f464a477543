/**
 * Planted data that looks like life, for scripts/bench-quality.ts and the segmentation tests:
 * - community sizes follow a power law (exponent 2, truncated to [minSize, maxSize] topics): many small, few large;
 * - a community's chance of being in a person's mix is proportional to its size (large topic areas have more people);
 * - each person mixes 1–3 communities with unequal weights (sorted exponential draws, normalised);
 * - inside a community, topic popularity is Zipf-like (rank r ∝ 1/r), so large communities have a long rare tail;
 * - a share of every person's interests (`noise`, 20%) is drawn from overall topic popularity, whatever their mix;
 * - a share of the signals (`purchaseShare`, 25%) arrive as purchases of the topic (1–3 purchases each), the rest as
 *   declared interests of weight 1.
 * Deterministic for a seed. `pureNoise` drops the communities: every interest comes from overall popularity (a graph
 * with nothing to find, for the significance check).
 *
 * The oracle (`scorePartition`) maps each person's own interests through the true communities: the best any
 * segmentation can do ("possible").
 */
import { mulberry32 } from '../../src/segmentation/random.js';
import { nmi } from '../../src/segmentation/stability.js';

export interface MixtureOptions {
  people: number;
  communities: number;
  /** Mean interests per person (each draws 50%..150% of it, at least 3). */
  interests: number;
  noise?: number;
  purchaseShare?: number;
  minSize?: number;
  maxSize?: number;
  /** Exponent of the community-size power law (p(s) ∝ s^-exponent). */
  sizeExponent?: number;
  /** Exponent of the Zipf law inside a community. */
  zipf?: number;
  seed?: number;
  /** No communities: every interest is drawn from overall popularity. */
  pureNoise?: boolean;
  /** Dirichlet concentration of a person's mix (1: sorted exponentials; 2, the default: more even mixes). */
  mixShape?: number;
  /** Prefixes topic names and external ids, so several data sets can share one database. */
  prefix?: string;
  /** A community's chance of being in a person's mix ∝ size^popularityExponent (0: every community alike). */
  popularityExponent?: number;
  /**
   * A long tail of topics belonging to no community (Facebook likes: pages a handful of people like), drawn by Zipf
   * (exponent 1) over `tailTopics` topics; `tailShare` of each person's interests come from it (default 0: no tail).
   */
  tailTopics?: number;
  tailShare?: number;
}

export interface PlantedPerson {
  externalId: string;
  /** Distinct topics (indexes into `topics`) and the interest weight each ends up with. */
  topics: number[];
  weights: number[];
  /** Purchases among the signals: topic index → number of purchases (the rest are declared interests, weight 1). */
  purchases: Map<number, number>;
  /** Planted mix: community → weight (sums to 1); empty for pure noise. */
  mix: Map<number, number>;
  /** The community with the largest weight in the mix (-1 for pure noise). */
  dominant: number;
}

export interface PlantedData {
  /** Topic names; index = topic number. */
  topics: string[];
  /** True community of each topic (-1: a long-tail topic, in no community). */
  community: Int32Array;
  communitySizes: number[];
  people: PlantedPerson[];
}

/** Power-law sizes at evenly spaced quantiles, so the smallest and largest sizes are always present. */
export function communitySizes(count: number, min: number, max: number, exponent: number): number[] {
  const a = 1 - exponent;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const u = count === 1 ? 0 : i / (count - 1);
    // Inverse CDF of p(s) ∝ s^-exponent on [min, max].
    const s = exponent === 1 ? min * (max / min) ** u : (min ** a + u * (max ** a - min ** a)) ** (1 / a);
    sizes.push(Math.round(s));
  }
  return sizes;
}

/** Cumulative distribution for O(log n) draws. */
class Sampler {
  private readonly cum: Float64Array;
  constructor(weights: ArrayLike<number>) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) this.cum[i] = s += weights[i]!;
    for (let i = 0; i < weights.length; i++) this.cum[i] = this.cum[i]! / s;
  }
  draw(rng: () => number): number {
    const x = rng();
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Gamma(k) for a whole k: a sum of k exponential draws. */
function gamma(k: number, rng: () => number): number {
  let x = 0;
  for (let i = 0; i < k; i++) x -= Math.log(1 - rng());
  return x;
}

export function generateMixtures(opts: MixtureOptions): PlantedData {
  const rng = mulberry32(opts.seed ?? 1);
  const noise = opts.pureNoise ? 1 : (opts.noise ?? 0.2);
  const purchaseShare = opts.purchaseShare ?? 0.25;
  const zipf = opts.zipf ?? 1;
  const mixShape = opts.mixShape ?? 2;
  const sizes = communitySizes(opts.communities, opts.minSize ?? 15, opts.maxSize ?? 300, opts.sizeExponent ?? 2);
  // Shuffled, so community numbers say nothing about size.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }
  const topics: string[] = [];
  const community: number[] = [];
  const firstTopic: number[] = [];
  const inCommunity: Sampler[] = [];
  const popularity: number[] = [];
  const beta = opts.popularityExponent ?? 0;
  const totalPick = sizes.reduce((a, s) => a + s ** beta, 0);
  sizes.forEach((size, c) => {
    firstTopic.push(topics.length);
    const z = Array.from({ length: size }, (_, r) => 1 / (r + 1) ** zipf);
    const zsum = z.reduce((a, b) => a + b, 0);
    inCommunity.push(new Sampler(z));
    for (let r = 0; r < size; r++) {
      topics.push(`${opts.prefix ?? ''}Topic ${String(c).padStart(3, '0')}-${String(r).padStart(3, '0')}`);
      community.push(c);
      // Overall popularity: the community's chance of being picked × the topic's Zipf share inside it.
      popularity.push((size ** beta / totalPick) * (z[r]! / zsum));
    }
  });
  const communityPick = new Sampler(sizes.map((s) => s ** beta));
  const overall = new Sampler(popularity);
  const tailShare = opts.tailTopics ? (opts.tailShare ?? 0) : 0;
  const tailFirst = topics.length;
  const tail = tailShare > 0 ? new Sampler(Float64Array.from({ length: opts.tailTopics! }, (_, r) => 1 / (r + 1))) : null;
  for (let r = 0; tail && r < opts.tailTopics!; r++) {
    topics.push(`${opts.prefix ?? ''}Tail ${String(r).padStart(7, '0')}`);
    community.push(-1);
  }

  const people: PlantedPerson[] = [];
  for (let p = 0; p < opts.people; p++) {
    const mix = new Map<number, number>();
    let dominant = -1;
    if (!opts.pureNoise) {
      const m = 1 + Math.floor(rng() * 3);
      const picked: number[] = [];
      for (let tries = 0; picked.length < m && tries < 50; tries++) {
        const c = communityPick.draw(rng);
        if (!picked.includes(c)) picked.push(c);
      }
      // Gamma(shape) draws, normalised: a Dirichlet mix; a larger shape gives more even (harder) mixes.
      const w = picked.map(() => gamma(mixShape, rng)).sort((a, b) => b - a);
      const sum = w.reduce((a, b) => a + b, 0);
      picked.forEach((c, i) => mix.set(c, w[i]! / sum));
      dominant = picked[0]!;
    }
    const mixCommunities = [...mix.keys()];
    const mixSampler = new Sampler([...mix.values()]);
    const count = Math.max(3, Math.round(opts.interests * (0.5 + rng())));
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < count && tries < count * 20; tries++) {
      let t: number;
      if (tail && rng() < tailShare) t = tailFirst + tail.draw(rng);
      else if (rng() < noise) t = overall.draw(rng);
      else {
        const c = mixCommunities[mixSampler.draw(rng)]!;
        t = firstTopic[c]! + inCommunity[c]!.draw(rng);
      }
      chosen.add(t);
    }
    const list = [...chosen];
    const purchases = new Map<number, number>();
    const weights = list.map((t) => {
      if (rng() >= purchaseShare) return 1;
      const n = 1 + (rng() < 0.3 ? 1 : 0) + (rng() < 0.1 ? 1 : 0);
      purchases.set(t, n);
      return n;
    });
    people.push({ externalId: `${opts.prefix ?? ''}q-${p}`, topics: list, weights, purchases, mix, dominant });
  }
  return { topics, community: Int32Array.from(community), communitySizes: sizes, people };
}

/** The import record of a person (POST /v1/imports/profiles). */
export function profileRecord(data: PlantedData, person: PlantedPerson) {
  const interests: Array<{ topic: string; weight: number }> = [];
  const purchases: Array<{ sku: string; category: string; amount: number; at: string }> = [];
  person.topics.forEach((t, i) => {
    const n = person.purchases.get(t);
    if (n === undefined) interests.push({ topic: data.topics[t]!, weight: person.weights[i]! });
    else
      for (let k = 0; k < n; k++) {
        purchases.push({
          sku: `sku-${t}-${k}`,
          category: data.topics[t]!,
          amount: 10 + ((t * 7 + k * 13) % 90),
          at: `2026-10-${String(1 + k).padStart(2, '0')}T10:00:00Z`,
        });
      }
  });
  return { externalId: person.externalId, interests, purchases, consent: { segmentation: true } };
}

export interface Segmentation {
  /** Segment of each topic (by topic index); undefined = in no segment. */
  segmentOf: (topic: number) => string | undefined;
  /** "Other interests" bucket(s): never a community of their own. */
  other: ReadonlySet<string>;
  /**
   * Each person's affinities (segment → share of their interest weight). Defaults to the service's definition applied
   * to the person's planted interests (src/affinity/scoring.ts); the HTTP bench passes what the API answered.
   */
  affinities?: (person: PlantedPerson, index: number) => ReadonlyMap<string, number>;
}

export interface Quality {
  /** NMI of the segments against the true communities over every topic somebody holds (unsegmented: singletons). */
  nmi: number;
  /** The same over topics held by at least 10 people (where co-occurrence alone can place them). */
  nmiFrequent: number;
  /** Topics held by somebody / placed in a segment (not "Other"). */
  topicsHeld: number;
  topicsPlaced: number;
  topicsInOther: number;
  /** Share of people whose largest affinity is a segment of their dominant community. */
  top1: number;
  /** The same with each person's interests mapped through the true communities (the best any segmentation can do). */
  possibleTop1: number;
  /** Mean total-variation distance of a person's affinity vector (by community) to their planted mix; and the best. */
  tv: number;
  possibleTv: number;
  /** Coarse segments found (without "Other"), planted communities, planted communities that are some segment's majority. */
  segments: number;
  planted: number;
  communitiesFound: number;
  /** Long-tail topics somebody holds, and how many of them a segment took (not "Other"). */
  tailHeld: number;
  tailPlaced: number;
}

/** Weight of a person's interests per key (community or segment), ignoring topics without one. */
function weightBy(person: PlantedPerson, keyOf: (t: number) => string | number | undefined): Map<string | number, number> {
  const out = new Map<string | number, number>();
  let total = 0;
  person.topics.forEach((t, i) => {
    const k = keyOf(t);
    if (k === undefined) return;
    out.set(k, (out.get(k) ?? 0) + person.weights[i]!);
    total += person.weights[i]!;
  });
  for (const [k, w] of out) out.set(k, w / total);
  return out;
}

/** The largest entry (ties: the first key in sort order, as the API sorts ties by segment id). */
function argmax<K extends string | number>(m: ReadonlyMap<K, number>): K | undefined {
  let best: K | undefined;
  let bw = -Infinity;
  for (const [k, w] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (w > bw) {
      best = k;
      bw = w;
    }
  }
  return best;
}

function tvDistance(p: ReadonlyMap<string | number, number>, q: ReadonlyMap<string | number, number>): number {
  let d = 0;
  for (const k of new Set([...p.keys(), ...q.keys()])) d += Math.abs((p.get(k) ?? 0) - (q.get(k) ?? 0));
  return d / 2;
}

export function scorePartition(data: PlantedData, seg: Segmentation): Quality {
  const support = new Int32Array(data.topics.length);
  for (const p of data.people) for (const t of p.topics) support[t]!++;
  // A segment stands for the community holding most of its members' support (its people), "Other" for none.
  const votes = new Map<string, Map<number, number>>();
  const held: number[] = [];
  let tailHeld = 0;
  let tailPlaced = 0;
  for (let t = 0; t < data.topics.length; t++) {
    if (support[t] === 0) continue;
    if (data.community[t]! < 0) {
      // A long-tail topic has no true community: it is scored by where it went, not by NMI.
      tailHeld++;
      const s = seg.segmentOf(t);
      if (s !== undefined && !seg.other.has(s)) tailPlaced++;
      continue;
    }
    held.push(t);
    const s = seg.segmentOf(t);
    if (s === undefined || seg.other.has(s)) continue;
    let v = votes.get(s);
    if (!v) votes.set(s, (v = new Map()));
    v.set(data.community[t]!, (v.get(data.community[t]!) ?? 0) + support[t]!);
  }
  const communityOf = new Map<string, number>();
  for (const [s, v] of votes) communityOf.set(s, argmax(v)!);

  const truthOf = (ts: number[]) => ts.map((t) => data.community[t]!);
  const labelsOf = (ts: number[]) => ts.map((t) => seg.segmentOf(t) ?? `none:${t}`);
  const frequent = held.filter((t) => support[t]! >= 10);

  let top1 = 0;
  let possible = 0;
  let tv = 0;
  let possibleTv = 0;
  const segmentAffinity = (p: PlantedPerson) => weightBy(p, (t) => seg.segmentOf(t)) as Map<string, number>;
  data.people.forEach((p, i) => {
    const truth = weightBy(p, (t) => (data.community[t]! < 0 ? undefined : data.community[t]!));
    if (argmax(truth) === p.dominant) possible++;
    possibleTv += tvDistance(truth, p.mix);
    const aff = seg.affinities ? seg.affinities(p, i) : segmentAffinity(p);
    const best = argmax(aff);
    if (best !== undefined && communityOf.get(best) === p.dominant) top1++;
    const byCommunity = new Map<string | number, number>();
    for (const [s, a] of aff) {
      const c = communityOf.get(s) ?? 'none';
      byCommunity.set(c, (byCommunity.get(c) ?? 0) + a);
    }
    tv += tvDistance(byCommunity, p.mix);
  });
  const n = data.people.length;
  const segmentIds = new Set(held.map((t) => seg.segmentOf(t)).filter((s): s is string => s !== undefined && !seg.other.has(s)));
  return {
    nmi: nmi(truthOf(held), labelsOf(held)),
    nmiFrequent: nmi(truthOf(frequent), labelsOf(frequent)),
    topicsHeld: held.length,
    topicsPlaced: held.filter((t) => seg.segmentOf(t) !== undefined && !seg.other.has(seg.segmentOf(t)!)).length,
    topicsInOther: held.filter((t) => seg.other.has(seg.segmentOf(t) ?? '')).length,
    top1: top1 / n,
    possibleTop1: possible / n,
    tv: tv / n,
    possibleTv: possibleTv / n,
    segments: segmentIds.size,
    planted: data.communitySizes.length,
    communitiesFound: new Set(communityOf.values()).size,
    tailHeld,
    tailPlaced,
  };
}
