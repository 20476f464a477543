import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor, offsetCursor, offsetPage, pageQuery, parseOr400 } from './http.js';

describe('cursor pagination', () => {
  it('round-trips a cursor and pages with one extra row', () => {
    const page = offsetPage([1, 2, 3], 2, 10);
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(offsetCursor, page.nextCursor)).toEqual({ o: 12 });
    expect(offsetPage([1, 2], 2, 0)).toEqual({ items: [1, 2] });
  });

  it('rejects a tampered cursor with a 400', () => {
    for (const bad of ['not-base64!', encodeCursor({ o: -1 }), encodeCursor('x')]) {
      expect(() => decodeCursor(offsetCursor, bad)).toThrow(AppError);
    }
  });

  it('bounds the page size', () => {
    expect(pageQuery.parse({}).limit).toBe(100);
    expect(pageQuery.safeParse({ limit: '1001' }).success).toBe(false);
    expect(pageQuery.safeParse({ limit: '0' }).success).toBe(false);
  });
});

describe('parseOr400', () => {
  it('names every invalid field with its location', () => {
    try {
      parseOr400(z.object({ a: z.string(), b: z.number() }), { a: 1 }, 'body');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.status).toBe(400);
      expect((err.errors as Array<{ path: string }>).map((x) => x.path).sort()).toEqual(['body.a', 'body.b']);
    }
  });
});
