/**
 * What makes a set of people different: topics and categories they hold more often than a reference set does (the
 * population for insight, the other audience for a comparison). Pure: tallies in, ranked rows out.
 *
 * For a group G (size |G|) against a reference R (size |R|), a topic t held by g_t of G and r_t of R:
 *   support = g_t (with the share g_t / |G|), lift = (g_t / |G|) / (r_t / |R|).
 * Rows need `minSupport` holders in G, so a topic one or two people happen to hold cannot top the list with a huge
 * lift. When R does not hold t at all (a comparison), r_t counts as half a person: the lift stays finite and such
 * exclusive topics rank by how many hold them.
 */
import { Heap } from 'heap-js';
import type { Tally } from './population-counts.js';

export interface LiftRow {
  /** Topic index of the store, or category slot of the model. */
  key: number;
  members: number;
  memberShare: number;
  reference: number;
  referenceShare: number;
  lift: number;
}

export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Default minimum support: 1% of the group, at least 3 people (never more than the group). */
export function defaultMinSupport(groupSize: number): number {
  return Math.max(1, Math.min(groupSize, Math.max(3, Math.ceil(groupSize * 0.01))));
}

function liftRow(key: number, g: number, gSize: number, r: number, rSize: number): LiftRow {
  const memberShare = g / gSize;
  const referenceShare = r / rSize;
  const lift = memberShare / (Math.max(r, 0.5) / rSize);
  return {
    key,
    members: g,
    memberShare: round(memberShare, 6),
    reference: r,
    referenceShare: round(referenceShare, 6),
    lift: round(lift, 4),
  };
}

/** Lift descending, then support descending, then key: the same order every time. */
const better = (a: LiftRow, b: LiftRow) => b.lift - a.lift || b.members - a.members || a.key - b.key;

/**
 * The `limit` rows of highest lift among keys held by at least `minSupport` of the group and with lift above
 * `minLift`, selected with a bounded heap (the candidates are topics, up to the run's size, never people).
 * `reference` counts of the population include the group's own members (the group is part of it), so they are
 * never below the group's; for two audiences they are independent.
 */
export function rankLifts(
  group: ArrayLike<number>,
  groupSize: number,
  reference: (key: number) => number,
  referenceSize: number,
  opts: { minSupport: number; minLift: number; limit: number },
): LiftRow[] {
  if (groupSize <= 0 || referenceSize <= 0 || opts.limit <= 0) return [];
  const heap = new Heap<LiftRow>((a, b) => -better(a, b)); // worst on top
  for (let key = 0; key < group.length; key++) {
    const g = group[key]!;
    if (g < opts.minSupport || g <= 0) continue;
    const row = liftRow(key, g, groupSize, reference(key), referenceSize);
    if (!(row.lift > opts.minLift)) continue;
    if (heap.length < opts.limit) heap.push(row);
    else if (better(row, heap.peek()!) < 0) heap.replace(row);
  }
  return heap.toArray().sort(better);
}

/** Population-relative rows for a group tallied against the population counts (one run, same definitions). */
export function overIndexed(
  group: Tally,
  population: Tally,
  kind: 'topics' | 'categories',
  opts: { minSupport: number; minLift: number; limit: number },
): LiftRow[] {
  const counts = population[kind];
  // The population holds everyone in the group; counts read a moment apart can differ by a change in between.
  const reference = (key: number) => Math.max(key < counts.length ? counts[key]! : 0, group[kind][key]!);
  return rankLifts(group[kind], group.people, reference, Math.max(population.people, group.people), opts);
}
