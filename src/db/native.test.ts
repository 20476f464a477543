import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { toNative } from './native.js';

describe('toNative', () => {
  it('turns integers (bigint or driver Integer) into numbers, nested in maps and lists', () => {
    expect(toNative({ n: 42n, list: [neo4j.int(7), -3n], deep: { m: BigInt(Number.MAX_SAFE_INTEGER) } })).toEqual({
      n: 42,
      list: [7, -3],
      deep: { m: Number.MAX_SAFE_INTEGER },
    });
  });

  it('refuses an integer a number cannot hold instead of turning it into a string or rounding it', () => {
    expect(() => toNative({ n: BigInt(Number.MAX_SAFE_INTEGER) + 1n })).toThrow(RangeError);
    expect(() => toNative(neo4j.int('-9007199254740993'))).toThrow(/safe range/);
  });

  it('writes date-times as ISO strings and keeps null', () => {
    const at = new neo4j.types.DateTime(2026, 11, 29, 4, 5, 6, 0, 0);
    expect(toNative({ at, none: null })).toEqual({ at: '2026-11-29T04:05:06.000Z', none: null });
  });

  it('converts lists of lists and nodes, leaves strings, numbers and booleans as they are, and turns undefined into null', () => {
    const node = new neo4j.types.Node(neo4j.int(1), ['Topic'], { id: 't-1', weight: 2n }, 'e-1');
    const date = new neo4j.types.Date(2026, 11, 29);
    expect(
      toNative({
        rows: [
          ['a', 1.5, true, null, undefined, 3n, [4n, 'b']],
          [node, date],
        ],
        flag: false,
        gone: undefined,
      }),
    ).toEqual({
      rows: [
        ['a', 1.5, true, null, null, 3, [4, 'b']],
        [{ id: 't-1', weight: 2 }, '2026-11-29'],
      ],
      flag: false,
      gone: null,
    });
  });
});
