import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.js';
import {
  decodeCursor,
  encodeCursor,
  offsetCursor,
  offsetPage,
  pageQuery,
  parseOr400,
  problem,
  queryDecimal,
  requireSameRun,
} from './http.js';

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

  it('reads an empty limit as absent and accepts decimal digits only', () => {
    expect(pageQuery.parse({ limit: '' }).limit).toBe(100);
    expect(pageQuery.parse({ limit: '1000' }).limit).toBe(1000);
    expect(pageQuery.parse({ limit: '007' }).limit).toBe(7);
    for (const bad of ['0x10', '1e2', ' 5', '5 ', '-1', '2.5', 'ten', 'Infinity']) {
      expect(pageQuery.safeParse({ limit: bad }).success, bad).toBe(false);
    }
    expect(pageQuery.safeParse({ limit: ['1', '2'] }).success).toBe(false);
  });

  it('reads decimal thresholds the same way', () => {
    const q = z.object({ min: queryDecimal(0, 1, 0) });
    expect(q.parse({ min: '' }).min).toBe(0);
    expect(q.parse({ min: '0.25' }).min).toBe(0.25);
    expect(q.parse({ min: '1' }).min).toBe(1);
    for (const bad of ['0x1', '1e-1', '.5', '2', '-0.1', 'NaN']) expect(q.safeParse({ min: bad }).success, bad).toBe(false);
  });

  it('refuses a cursor from another run with a 409 cursor-stale', () => {
    expect(() => requireSameRun(undefined, 'r2')).not.toThrow();
    expect(() => requireSameRun('r2', 'r2')).not.toThrow();
    expect(() => requireSameRun(null, null)).not.toThrow();
    try {
      requireSameRun('r1', 'r2');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ status: 409, code: 'cursor-stale' });
    }
  });
});

describe('problem', () => {
  it('always has a detail, the title when nothing more is known', () => {
    expect(problem(404, 'not-found')).toMatchObject({ detail: 'Not Found', title: 'Not Found' });
    expect(problem(409, 'conflict', '')).toMatchObject({ detail: 'Conflict' });
    expect(problem(503, 'x', 'down').detail).toBe('down');
  });

  it('gives every 400 at least one entry in errors', () => {
    expect(problem(400, 'malformed-body', 'not JSON').errors).toEqual([{ path: 'body', message: 'not JSON' }]);
    const fields = [{ path: 'query.limit', message: 'too big' }];
    expect(problem(400, 'invalid-input', 'Invalid query', fields).errors).toEqual(fields);
    expect(problem(401, 'unauthorized', 'no key')).not.toHaveProperty('errors');
  });
});

describe('parseOr400', () => {
  it('turns a stack overflow while validating into a 400, not a 500', () => {
    const overflowing = z.unknown().transform(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    expect(() => parseOr400(overflowing, {}, 'body')).toThrow(expect.objectContaining({ status: 400, code: 'invalid-input' }));
  });

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
