/**
 * Audience rules: segment affinity combined with facts (purchases, interests) by all/any/not. Pure: the leaves are
 * evaluated by the repository (one query per leaf), the boolean combination and ranking happen here.
 */

export interface SegmentLeaf {
  segment: string;
  minAffinity?: number | undefined;
  minLift?: number | undefined;
}
export interface PurchasedLeaf {
  purchased: { withinDays?: number | undefined; topic?: string | undefined; sku?: string | undefined };
}
export interface InterestLeaf {
  interest: { topic: string; minWeight?: number | undefined };
}
export type Leaf = SegmentLeaf | PurchasedLeaf | InterestLeaf;
export type Rule = Leaf | { all: Rule[] } | { any: Rule[] } | { not: Rule };

export const isSegment = (r: Rule): r is SegmentLeaf => 'segment' in r;
const isLeaf = (r: Rule): r is Leaf => 'segment' in r || 'purchased' in r || 'interest' in r;

/** Every leaf, depth first (the first segment leaf is the default ranking segment). */
export function leaves(rule: Rule): Leaf[] {
  if (isLeaf(rule)) return [rule];
  if ('all' in rule) return rule.all.flatMap(leaves);
  if ('any' in rule) return rule.any.flatMap(leaves);
  return leaves(rule.not);
}

/**
 * A negation needs something to subtract from, so `not` is accepted only inside an `all` that also has a positive
 * condition. Returns the paths of misplaced negations (empty when the rule is fine).
 */
export function misplacedNegations(rule: Rule, path = 'where', insideAll = false): string[] {
  if (isLeaf(rule)) return [];
  if ('not' in rule) return [...(insideAll ? [] : [path]), ...misplacedNegations(rule.not, `${path}.not`)];
  if ('any' in rule) return rule.any.flatMap((r, i) => misplacedNegations(r, `${path}.any.${i}`));
  const positives = rule.all.filter((r) => !('not' in r)).length;
  return rule.all.flatMap((r, i) => misplacedNegations(r, `${path}.all.${i}`, positives > 0));
}

/** Evaluates the rule over the users each leaf matched (`matched(leaf)`, by identity of the leaf object). */
export function evaluate(rule: Rule, matched: (leaf: Leaf) => ReadonlySet<string>): Set<string> {
  if (isLeaf(rule)) return new Set(matched(rule));
  if ('any' in rule) {
    const out = new Set<string>();
    for (const r of rule.any) for (const id of evaluate(r, matched)) out.add(id);
    return out;
  }
  if ('not' in rule) throw new Error('a negation outside `all` cannot be evaluated');
  const positives = rule.all.filter((r) => !('not' in r)).map((r) => evaluate(r, matched));
  const negatives = rule.all.filter((r): r is { not: Rule } => 'not' in r).map((r) => evaluate(r.not, matched));
  positives.sort((a, b) => a.size - b.size);
  const [smallest, ...rest] = positives;
  const out = new Set<string>();
  for (const id of smallest ?? []) {
    if (rest.every((s) => s.has(id)) && !negatives.some((s) => s.has(id))) out.add(id);
  }
  return out;
}

export interface Ranked {
  userId: string;
  affinity: number;
  lift: number;
}

/** Affinity (in the ranking segment) descending, then user id: the same order and cursor as segment audiences. */
export function rank(users: Iterable<string>, scoreOf: (userId: string) => { affinity: number; lift: number } | undefined): Ranked[] {
  return [...users]
    .map((userId) => ({ userId, ...(scoreOf(userId) ?? { affinity: 0, lift: 0 }) }))
    .sort((a, b) => b.affinity - a.affinity || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/** Index of the first entry after a keyset cursor in a ranked list. */
export function afterCursor(list: readonly Ranked[], after: { affinity: number; userId: string } | undefined): number {
  if (!after) return 0;
  const i = list.findIndex((r) => r.affinity < after.affinity || (r.affinity === after.affinity && r.userId > after.userId));
  return i === -1 ? list.length : i;
}
