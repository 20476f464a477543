/**
 * The outcome of a saved audience against its holdout: did the people who were exported buy more than the people held
 * back? Pure statistics over two groups' counts.
 *
 * The measure is the purchase rate (share of people with at least one purchase after the export), compared as a
 * difference of two independent proportions with Newcombe's hybrid score interval (his method 10, built from the two
 * Wilson score intervals). The plain Wald interval is the textbook one, but holdouts are small and purchase rates are
 * often near 0, where Wald's coverage falls well below 95% and its bounds can leave [-1, 1]; Newcombe's interval keeps
 * close to nominal coverage there and never leaves the range. The relative lift (treated rate / holdout rate − 1) gets
 * the Katz log interval for a ratio of proportions.
 */

/** Two-sided 95%. */
export const Z95 = 1.959963984540054;

export interface GroupCounts {
  /** People in the group. */
  people: number;
  /** People with at least one purchase after the export. */
  buyers: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

/** Wilson score interval of a proportion. */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (n === 0) return { estimate: 0, low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Difference of proportions (treated − holdout) with Newcombe's hybrid score interval; null when a group is empty. */
export function differenceInterval(treated: GroupCounts, holdout: GroupCounts, z = Z95): Interval | null {
  if (treated.people === 0 || holdout.people === 0) return null;
  const a = wilson(treated.buyers, treated.people, z);
  const b = wilson(holdout.buyers, holdout.people, z);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    low: d - Math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2),
    high: d + Math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2),
  };
}

/** Relative lift (rate ratio − 1) with the Katz log interval; null when either group has no buyer (no finite ratio). */
export function liftInterval(treated: GroupCounts, holdout: GroupCounts, z = Z95): Interval | null {
  const { people: n1, buyers: x1 } = treated;
  const { people: n2, buyers: x2 } = holdout;
  if (n1 === 0 || n2 === 0 || x1 === 0 || x2 === 0) return null;
  const ratio = x1 / n1 / (x2 / n2);
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
  return { estimate: ratio - 1, low: ratio * Math.exp(-z * se) - 1, high: ratio * Math.exp(z * se) - 1 };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const rounded = (i: Interval | null) => i && { estimate: round(i.estimate), low: round(i.low), high: round(i.high) };

/** The report's figures: rates, the difference and the lift with their 95% intervals (6 digits). */
export function compareGroups(treated: GroupCounts, holdout: GroupCounts) {
  const rate = (g: GroupCounts) => (g.people === 0 ? null : round(g.buyers / g.people));
  return {
    treatedRate: rate(treated),
    holdoutRate: rate(holdout),
    difference: rounded(differenceInterval(treated, holdout)),
    relativeLift: rounded(liftInterval(treated, holdout)),
  };
}
