/**
 * Segment identity across runs and how much changed: ids are carried over by topic overlap, and the run records
 * NMI, per-segment overlap and which segments split, merged, appeared or vanished.
 */

/** Normalized mutual information (arithmetic-mean normalization) of two labelings of the same items. */
export function nmi(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  const n = a.length;
  if (n !== b.length) throw new Error('labelings differ in length');
  if (n === 0) return 1;
  const ia = toIndexes(a);
  const ib = toIndexes(b);
  const ka = ia.reduce((m, x) => Math.max(m, x), 0) + 1;
  const kb = ib.reduce((m, x) => Math.max(m, x), 0) + 1;
  const ca = new Float64Array(ka);
  const cb = new Float64Array(kb);
  const joint = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    ca[ia[i]!] = ca[ia[i]!]! + 1;
    cb[ib[i]!] = cb[ib[i]!]! + 1;
    const k = ia[i]! * kb + ib[i]!;
    joint.set(k, (joint.get(k) ?? 0) + 1);
  }
  const entropy = (c: Float64Array) => c.reduce((h, x) => (x > 0 ? h - (x / n) * Math.log(x / n) : h), 0);
  const ha = entropy(ca);
  const hb = entropy(cb);
  if (ha === 0 && hb === 0) return 1;
  if (ha === 0 || hb === 0) return 0;
  let mi = 0;
  for (const [k, c] of joint) {
    const x = Math.floor(k / kb);
    const y = k % kb;
    mi += (c / n) * Math.log((c * n) / (ca[x]! * cb[y]!));
  }
  return Math.max(0, Math.min(1, (2 * mi) / (ha + hb)));
}

function toIndexes(labels: ArrayLike<number | string>): number[] {
  const ids = new Map<number | string, number>();
  return Array.from(labels, (l) => {
    let i = ids.get(l);
    if (i === undefined) ids.set(l, (i = ids.size));
    return i;
  });
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

export interface SegmentTopics {
  id: string;
  topics: readonly string[];
  /** The "Other interests" bucket: leftovers, not a community, so it is never compared with real segments. */
  other?: boolean;
}

/**
 * Greedy maximum-Jaccard matching (pairs taken by descending overlap, each side used once, ties broken by ids):
 * with a handful of segments it agrees with the Hungarian optimum in practice and is easy to reason about.
 * Returns new key → previous id for pairs with Jaccard ≥ minOverlap. "Other interests" matches only "Other
 * interests": a real segment must not inherit the bucket's id, nor the bucket a real segment's.
 */
export function matchSegments(
  current: ReadonlyArray<{ key: string; topics: readonly string[]; other?: boolean }>,
  previous: readonly SegmentTopics[],
  minOverlap = 0.3,
): Map<string, { id: string; overlap: number }> {
  const prevSets = previous.map((p) => ({ id: p.id, other: Boolean(p.other), set: new Set(p.topics) }));
  const candidates: Array<{ key: string; id: string; overlap: number }> = [];
  for (const c of current) {
    const set = new Set(c.topics);
    for (const p of prevSets) {
      if (p.other !== Boolean(c.other)) continue;
      const overlap = jaccard(set, p.set);
      if (overlap >= minOverlap) candidates.push({ key: c.key, id: p.id, overlap });
    }
  }
  candidates.sort((x, y) => y.overlap - x.overlap || (x.key < y.key ? -1 : x.key > y.key ? 1 : x.id < y.id ? -1 : 1));
  const out = new Map<string, { id: string; overlap: number }>();
  const used = new Set<string>();
  for (const c of candidates) {
    if (out.has(c.key) || used.has(c.id)) continue;
    out.set(c.key, { id: c.id, overlap: c.overlap });
    used.add(c.id);
  }
  return out;
}

/**
 * Ids matched against the lineage of visible runs (the visible run first, then the runs visible before it, newest
 * first; never candidates that were not published): every (segment, id) pair is scored by its best topic overlap in any
 * run of the lineage that had the id, and pairs are taken greedily as in matchSegments (higher overlap first; on a tie
 * the newer run), each id and each segment once. One odd run that went live (a resolution that cut everything
 * differently) then costs the ids for that run only: the next run finds them again in the runs before it, unless a
 * segment of the odd run fits better. `fromRunId` is the run of the lineage whose segment gave the id.
 */
export function matchLineage(
  current: ReadonlyArray<{ key: string; topics: readonly string[]; other?: boolean }>,
  lineage: ReadonlyArray<{ runId: string; segments: readonly SegmentTopics[] }>,
  minOverlap = 0.3,
): Map<string, { id: string; overlap: number; fromRunId: string }> {
  const best = new Map<string, { key: string; id: string; overlap: number; age: number; fromRunId: string }>();
  const currentSets = current.map((c) => ({ key: c.key, other: Boolean(c.other), set: new Set(c.topics) }));
  lineage.forEach((run, age) => {
    for (const p of run.segments) {
      const prevSet = new Set(p.topics);
      for (const c of currentSets) {
        if (Boolean(p.other) !== c.other) continue;
        const overlap = jaccard(c.set, prevSet);
        if (overlap < minOverlap) continue;
        const pair = `${c.key}\u0000${p.id}`;
        const prev = best.get(pair);
        if (!prev || overlap > prev.overlap) best.set(pair, { key: c.key, id: p.id, overlap, age, fromRunId: run.runId });
      }
    }
  });
  const candidates = [...best.values()].sort(
    (x, y) => y.overlap - x.overlap || x.age - y.age || (x.key < y.key ? -1 : x.key > y.key ? 1 : x.id < y.id ? -1 : 1),
  );
  const out = new Map<string, { id: string; overlap: number; fromRunId: string }>();
  const used = new Set<string>();
  for (const c of candidates) {
    if (out.has(c.key) || used.has(c.id)) continue;
    out.set(c.key, { id: c.id, overlap: c.overlap, fromRunId: c.fromRunId });
    used.add(c.id);
  }
  return out;
}

export interface Stability {
  previousRunId: string | null;
  /** NMI of the two partitions over the topics both runs segmented (1 = identical). */
  nmi: number | null;
  sharedTopics: number;
  /** Per current segment: Jaccard overlap with the previous segment whose id it kept (0 for new ones). */
  segments: Array<{ id: string; overlap: number; previousId: string | null }>;
  /** Previous segments whose topics now spread over several segments. */
  split: Array<{ id: string; into: string[] }>;
  /** Current segments that took in large parts of several previous segments. */
  merged: Array<{ id: string; from: string[] }>;
  appeared: string[];
  vanished: string[];
  /** Ids the previous run did not have, found again in an older visible run of the lineage (matchLineage). */
  restored?: string[];
}

/**
 * A previous segment "split" when at least two current segments each hold ≥ `share` of its (still segmented) topics;
 * a current segment is "merged" when it holds ≥ `share` of each of at least two previous segments. "Other
 * interests" is neither a source nor a destination of a split or merge: topics moving to or from the bucket are
 * noise being sorted, not communities changing shape.
 */
export function compareRuns(
  previousRunId: string | null,
  current: readonly SegmentTopics[],
  previous: readonly SegmentTopics[],
  overlaps: ReadonlyMap<string, number>,
  share = 0.25,
): Stability {
  const curOf = new Map<string, string>();
  for (const s of current) for (const t of s.topics) curOf.set(t, s.id);
  const prevOf = new Map<string, string>();
  for (const s of previous) for (const t of s.topics) prevOf.set(t, s.id);
  const shared = [...curOf.keys()].filter((t) => prevOf.has(t)).sort();
  const currentIds = new Set(current.map((s) => s.id));
  const previousIds = new Set(previous.map((s) => s.id));

  const currentOther = new Set(current.filter((s) => s.other).map((s) => s.id));
  const split: Stability['split'] = [];
  const holders = new Map<string, string[]>();
  for (const p of previous) {
    if (p.other) continue;
    const inShared = p.topics.filter((t) => curOf.has(t));
    const counts = countBy(inShared.map((t) => curOf.get(t)!));
    const big = [...counts]
      .filter(([id, c]) => !currentOther.has(id) && inShared.length > 0 && c >= share * inShared.length)
      .map(([id]) => id)
      .sort();
    if (big.length >= 2) split.push({ id: p.id, into: big });
    for (const id of big) holders.set(id, [...(holders.get(id) ?? []), p.id]);
  }
  const merged: Stability['merged'] = [];
  for (const [id, from] of holders) if (from.length >= 2) merged.push({ id, from: from.sort() });
  merged.sort((x, y) => (x.id < y.id ? -1 : 1));

  return {
    previousRunId,
    nmi:
      previousRunId && shared.length > 0
        ? nmi(
            shared.map((t) => curOf.get(t)!),
            shared.map((t) => prevOf.get(t)!),
          )
        : null,
    sharedTopics: shared.length,
    segments: current.map((s) => ({
      id: s.id,
      overlap: overlaps.get(s.id) ?? 0,
      previousId: previousIds.has(s.id) ? s.id : null,
    })),
    split,
    merged,
    appeared: current.filter((s) => !previousIds.has(s.id)).map((s) => s.id),
    vanished: previous.filter((s) => !currentIds.has(s.id)).map((s) => s.id),
  };
}

function countBy(xs: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
