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

/**
 * Bounds on a rule, checked on the raw JSON before the recursive schema sees it: zod recurses once per level (a few
 * hundred levels exhaust the stack), and every leaf is one database query run concurrently with the others.
 */
export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_LEAVES = 50;

const COMBINATORS = ['all', 'any', 'not'] as const;

/**
 * Problems with a rule's size, as `{path, message}` (empty when within bounds). Depth counts the rules on the longest
 * path (a lone leaf is 1, `{all: [leaf]}` is 2); anything that is not a combinator counts as a leaf (its shape is the
 * schema's business). Iterative, and it stops at the first excess, so a hostile input costs no more than the bound.
 */
export function ruleBounds(value: unknown, path: string): Array<{ path: string; message: string }> {
  const stack: Array<{ node: unknown; depth: number; path: string }> = [{ node: value, depth: 1, path }];
  let leafCount = 0;
  while (stack.length > 0) {
    const { node, depth, path: at } = stack.pop()!;
    if (depth > MAX_RULE_DEPTH) {
      return [{ path: at, message: `rules nest at most ${MAX_RULE_DEPTH} deep (all/any/not inside each other)` }];
    }
    const combinator =
      node !== null && typeof node === 'object' && !Array.isArray(node) ? COMBINATORS.find((k) => k in (node as object)) : undefined;
    if (combinator === undefined) {
      if (++leafCount > MAX_RULE_LEAVES) {
        return [{ path, message: `a rule has at most ${MAX_RULE_LEAVES} conditions (segment, purchased, interest)` }];
      }
      continue;
    }
    const inner = (node as Record<string, unknown>)[combinator];
    if (combinator === 'not') stack.push({ node: inner, depth: depth + 1, path: `${at}.not` });
    else if (Array.isArray(inner))
      inner.forEach((child, i) => stack.push({ node: child, depth: depth + 1, path: `${at}.${combinator}.${i}` }));
  }
  return [];
}

export const isSegment = (r: Rule): r is SegmentLeaf => 'segment' in r;

/** Every topic the rule names (interest and purchase topics) with the path it sits at, for refusing sensitive ones. */
export function namedTopics(rule: Rule, path = 'where'): Array<{ path: string; topic: string }> {
  if ('interest' in rule) return [{ path: `${path}.interest.topic`, topic: rule.interest.topic }];
  if ('purchased' in rule)
    return rule.purchased.topic === undefined ? [] : [{ path: `${path}.purchased.topic`, topic: rule.purchased.topic }];
  if ('segment' in rule) return [];
  if ('all' in rule) return rule.all.flatMap((r, i) => namedTopics(r, `${path}.all.${i}`));
  if ('any' in rule) return rule.any.flatMap((r, i) => namedTopics(r, `${path}.any.${i}`));
  return namedTopics(rule.not, `${path}.not`);
}
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
