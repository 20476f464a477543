/**
 * A segment is named after its most central topics: the ones with the highest weighted degree inside the
 * segment (the topics its members most consistently share), not the most popular ones overall.
 */

export const OTHER_LABEL = 'Other interests';

export interface LabelledTopic {
  index: number;
  /** Centrality within the segment, scaled so the most central topic has 1. */
  score: number;
}

export interface SegmentLabel {
  label: string;
  /** All members, most central first. */
  ranked: LabelledTopic[];
  top: number[];
}

/**
 * `centrality[i]` is the internal weighted degree; ties (and all-zero segments such as the OTHER bucket) fall back to
 * topic support, then index, so the result is deterministic.
 */
export function labelSegment(
  members: readonly number[],
  centrality: ArrayLike<number>,
  support: ArrayLike<number>,
  names: readonly string[],
  opts: { labelTopics?: number; topTopics?: number; other?: boolean } = {},
): SegmentLabel {
  const ranked = [...members].sort(
    (a, b) => centrality[b]! - centrality[a]! || support[b]! - support[a]! || a - b,
  );
  // reduce, not Math.max(...): the "Other interests" bucket can hold tens of thousands of topics
  const max = ranked.reduce((m, i) => Math.max(m, centrality[i]!), 0);
  const maxSupport = ranked.reduce((m, i) => Math.max(m, support[i]!), 1);
  const scored = ranked.map((index) => ({
    index,
    score: max > 0 ? centrality[index]! / max : support[index]! / maxSupport,
  }));
  const top = ranked.slice(0, opts.topTopics ?? 5);
  const label = opts.other
    ? OTHER_LABEL
    : ranked
        .slice(0, opts.labelTopics ?? 3)
        .map((i) => names[i]!)
        .join(' · ');
  return { label, ranked: scored, top };
}
