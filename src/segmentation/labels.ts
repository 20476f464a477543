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
  const ranked = [...members].sort((a, b) => centrality[b]! - centrality[a]! || support[b]! - support[a]! || a - b);
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

export interface TopTopic {
  id: string;
  name: string;
}

/**
 * A run's label without topics hidden since (sensitive ones): a label naming a hidden top topic is made again from the
 * remaining top topics, as labelSegment makes it. Returns `label` itself, without allocating, when nothing is hidden.
 */
export function visibleLabel(label: string, top: readonly TopTopic[], hidden: (topicId: string) => boolean, labelTopics = 3): string {
  if (!top.some((t) => hidden(t.id) && label.includes(t.name))) return label;
  const names = top
    .filter((t) => !hidden(t.id))
    .slice(0, labelTopics)
    .map((t) => t.name);
  return names.length > 0 ? names.join(' · ') : 'Unnamed segment';
}
