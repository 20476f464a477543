import { describe, expect, it } from 'vitest';
import {
  afterCursor,
  evaluate,
  leaves,
  MAX_RULE_DEPTH,
  MAX_RULE_LEAVES,
  misplacedNegations,
  namedTopics,
  rank,
  ruleBounds,
  type Leaf,
  type Rule,
} from './rules.js';

const segA: Leaf = { segment: 'A', minAffinity: 0.3 };
const segB: Leaf = { segment: 'B' };
const bought: Leaf = { purchased: { withinDays: 30 } };
const sets = new Map<Leaf, Set<string>>([
  [segA, new Set(['u1', 'u2', 'u3', 'u4'])],
  [segB, new Set(['u3', 'u5'])],
  [bought, new Set(['u2', 'u3', 'u5', 'u6'])],
]);
const matched = (l: Leaf) => sets.get(l)!;

describe('audience rules', () => {
  it('intersects, unites and subtracts', () => {
    expect([...evaluate({ all: [segA, bought] }, matched)].sort()).toEqual(['u2', 'u3']);
    expect([...evaluate({ any: [segB, bought] }, matched)].sort()).toEqual(['u2', 'u3', 'u5', 'u6']);
    expect([...evaluate({ all: [segA, { not: bought }] }, matched)].sort()).toEqual(['u1', 'u4']);
    expect([...evaluate({ all: [{ any: [segA, segB] }, { not: { all: [segB, bought] } }] }, matched)].sort()).toEqual(['u1', 'u2', 'u4']);
  });

  it('lists leaves depth first', () => {
    expect(leaves({ all: [bought, { any: [segB, { not: segA }] }] })).toEqual([bought, segB, segA]);
  });

  it('accepts a negation only beside a positive condition inside all', () => {
    expect(misplacedNegations({ all: [segA, { not: bought }] })).toEqual([]);
    expect(misplacedNegations({ not: segA })).toEqual(['where']);
    expect(misplacedNegations({ all: [{ not: segA }] })).toEqual(['where.all.0']);
    expect(misplacedNegations({ any: [segA, { not: bought }] })).toEqual(['where.any.1']);
    const nested: Rule = { all: [segA, { not: { any: [segB, { not: bought }] } }] };
    expect(misplacedNegations(nested)).toEqual(['where.all.1.not.any.1']);
  });

  it('ranks by affinity then id and resumes after a cursor', () => {
    const scores: Record<string, { affinity: number; lift: number }> = { u1: { affinity: 0.5, lift: 2 }, u2: { affinity: 0.9, lift: 3 } };
    const list = rank(['u3', 'u1', 'u2', 'u0'], (id) => scores[id]);
    expect(list.map((r) => r.userId)).toEqual(['u2', 'u1', 'u0', 'u3']);
    expect(list[2]).toEqual({ userId: 'u0', affinity: 0, lift: 0 });
    expect(afterCursor(list, undefined)).toBe(0);
    expect(afterCursor(list, { affinity: 0.5, userId: 'u1' })).toBe(2);
    expect(afterCursor(list, { affinity: 0, userId: 'u0' })).toBe(3);
    expect(afterCursor(list, { affinity: 0, userId: 'u3' })).toBe(4);
  });
});

/** `depth` rules on one path: (depth - 1) combinators around a leaf, alternating all/any/not. */
function nested(depth: number): unknown {
  let rule: unknown = { segment: 'A' };
  for (let i = 1; i < depth; i++) rule = i % 3 === 0 ? { not: rule } : i % 3 === 1 ? { all: [rule] } : { any: [rule] };
  return rule;
}

describe('rule bounds', () => {
  it('accepts rules up to the depth and leaf limits', () => {
    expect(ruleBounds({ segment: 'A' }, 'body.where')).toEqual([]);
    expect(ruleBounds(nested(MAX_RULE_DEPTH), 'body.where')).toEqual([]);
    expect(ruleBounds({ any: Array.from({ length: MAX_RULE_LEAVES }, () => ({ segment: 'A' })) }, 'w')).toEqual([]);
  });

  it('names the path where a rule nests too deep', () => {
    const problems = ruleBounds(nested(MAX_RULE_DEPTH + 1), 'body.where');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('body.where.not.any.0.all.0.not.any.0.all.0');
    expect(problems[0]!.message).toMatch(/at most 6 deep/);
  });

  it('counts leaves across a wide tree', () => {
    const wide = { all: Array.from({ length: 20 }, () => ({ any: Array.from({ length: 3 }, () => ({ segment: 'A' })) })) };
    const problems = ruleBounds(wide, 'body.where');
    expect(problems).toEqual([{ path: 'body.where', message: expect.stringMatching(/at most 50 conditions/) }]);
  });

  it('walks pathological input without recursion and stops at the bound', () => {
    let deep: unknown = { segment: 'A' };
    for (let i = 0; i < 200_000; i++) deep = { all: [deep] };
    expect(ruleBounds(deep, 'w')).toHaveLength(1);
  });

  it('leaves shapes it does not know to the schema', () => {
    expect(ruleBounds(null, 'w')).toEqual([]);
    expect(ruleBounds({ all: 'not an array' }, 'w')).toEqual([]);
    expect(ruleBounds([1, 2], 'w')).toEqual([]);
  });
});

describe('namedTopics', () => {
  it('lists every interest and purchase topic with its path, and nothing for segments or SKU-only purchases', () => {
    const rule: Rule = {
      all: [
        { segment: 'A' },
        { any: [{ interest: { topic: 'Yoga' } }, { purchased: { sku: 'S-1' } }] },
        { not: { purchased: { topic: 'Pharmacy', withinDays: 30 } } },
      ],
    };
    expect(namedTopics(rule, 'body.where')).toEqual([
      { path: 'body.where.all.1.any.0.interest.topic', topic: 'Yoga' },
      { path: 'body.where.all.2.not.purchased.topic', topic: 'Pharmacy' },
    ]);
    expect(namedTopics({ segment: 'A' })).toEqual([]);
  });
});
