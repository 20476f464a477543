import type { ErrorRequestHandler, Request } from 'express';
import { z, ZodError, type ZodType } from 'zod';
import { AppError } from '../errors.js';
import './openapi.js'; // .openapi() on the query helpers below
import { isUnavailableError } from '../db/neo4j.js';
import type { Logger } from '../logger.js';

export const PROBLEM_TYPE_BASE = 'https://natural-segmentation.dev/problems/';

export function zodIssues(err: ZodError, prefix = ''): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

/**
 * Parses with a schema or throws a 400 problem naming every bad field. Recursive schemas (audience rules) are bounded
 * before they get here; a RangeError that still escapes (stack exhausted by a pathological input) is the input's
 * fault, so it is a 400 too, never a 500.
 */
export function parseOr400<S extends ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  let result;
  try {
    result = schema.safeParse(value);
  } catch (err) {
    if (err instanceof RangeError) {
      throw AppError.badRequest(`Invalid ${where}`, [{ path: where, message: 'too deeply nested to validate' }]);
    }
    throw err;
  }
  if (!result.success) throw AppError.badRequest(`Invalid ${where}`, zodIssues(result.error, where));
  return result.data;
}

// ---- query-string numbers -------------------------------------------------------------------------------------

// `?limit=` (empty) is how forms and URL builders say "not set"; z.coerce would make it 0.
const emptyIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/**
 * A whole number in a query string: decimal digits only (Number() would also take `0x10`, `1e2` or ` 5`), empty or
 * absent means the default.
 */
export function queryInt(min: number, max: number, dflt: number) {
  return z
    .preprocess(
      emptyIsAbsent,
      z
        .string()
        .regex(/^[0-9]{1,15}$/, 'must be a whole number in decimal digits')
        .default(String(dflt)),
    )
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max, default: dflt });
}

/** A non-negative decimal in a query string (`0.3`, `2`); empty or absent means the default. */
export function queryDecimal(min: number, max: number | undefined, dflt: number) {
  const bounded = max === undefined ? z.number().min(min) : z.number().min(min).max(max);
  return z
    .preprocess(
      emptyIsAbsent,
      z
        .string()
        .regex(/^[0-9]{1,15}(\.[0-9]{1,15})?$/, 'must be a decimal number like 0.25')
        .default(String(dflt)),
    )
    .transform(Number)
    .pipe(bounded)
    .openapi({ type: 'number', minimum: min, ...(max === undefined ? {} : { maximum: max }), default: dflt });
}

// ---- cursor pagination ----------------------------------------------------------------------------------------

export const pageQuery = z.object({
  limit: queryInt(1, 1000, 100).describe('Page size (default 100, max 1000); empty means the default'),
  cursor: z.string().max(2000).optional().describe('`nextCursor` of the previous page'),
});
export type PageQuery = z.output<typeof pageQuery>;

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Cursors are opaque to clients; a tampered one is a 400, never a 500. */
export function decodeCursor<S extends ZodType>(schema: S, cursor: string | undefined, path = 'query.cursor'): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    /* fall through */
  }
  throw AppError.badRequest('Invalid cursor', [{ path, message: 'not a cursor this API issued' }]);
}

/**
 * Lists that belong to one segmentation run carry the run id in their cursor: once another run is visible, the pages
 * would come from a different list, so the client must start again (409 `cursor-stale`), not get a silent mix.
 */
export function requireSameRun(cursorRunId: string | null | undefined, currentRunId: string | null): void {
  if (cursorRunId === undefined || cursorRunId === currentRunId) return;
  throw new AppError(
    409,
    'cursor-stale',
    'The cursor belongs to a segmentation run that is no longer the visible one. Start again without a cursor',
  );
}

/** The 409 of every list whose cursor pins a run (see requireSameRun), for the routes' OpenAPI responses. */
export const STALE_CURSOR_RESPONSE = {
  409: {
    description: '`cursor-stale`: the cursor belongs to a segmentation run that is no longer the visible one. Start again without a cursor',
  },
};

/** Offset cursors: enough for lists that are ordered by a stable key and do not change between pages. */
export const offsetCursor = z.object({ o: z.number().int().min(0) });

/** An offset into one run's list (segments, a segment's topics): the run never changes, so offsets stay valid. */
export const runOffsetCursor = z.object({ r: z.string(), o: z.number().int().min(0) });

/** One page of rows read with one extra (`limit + 1`); `pinned` goes into the next cursor beside the offset. */
export function offsetPage<T>(
  rowsPlusOne: T[],
  limit: number,
  offset: number,
  pinned: Record<string, unknown> = {},
): { items: T[]; nextCursor?: string } {
  const items = rowsPlusOne.slice(0, limit);
  return rowsPlusOne.length > limit ? { items, nextCursor: encodeCursor({ ...pinned, o: offset + limit }) } : { items };
}

// ---- problems ---------------------------------------------------------------------------------------------------

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: unknown[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * `detail` is always present (the title when there is nothing more to say), and every 400 lists at least one entry in
 * `errors`, so clients can show field errors one way. A 400 without field errors is about the body as a whole (absent,
 * not JSON, not the expected shape).
 */
export function problem(status: number, code: string, detail?: string, errors?: unknown[]): Problem {
  const title = TITLES[status] ?? 'Error';
  const text = detail?.trim() ? detail : title;
  const listed = errors && errors.length ? errors : status === 400 ? [{ path: 'body', message: text }] : undefined;
  return { type: PROBLEM_TYPE_BASE + code, title, status, detail: text, ...(listed ? { errors: listed } : {}) };
}

function toProblem(err: unknown): Problem {
  if (err instanceof AppError) return problem(err.status, err.code, err.message, err.errors);
  if (err instanceof ZodError) return problem(400, 'invalid-input', 'Invalid input', zodIssues(err));
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
  // body-parser errors carry a `type` and a 4xx status: they are the client's fault.
  switch (e?.type) {
    case 'entity.too.large':
      return problem(413, 'payload-too-large', 'The request body is larger than the service accepts');
    case 'entity.parse.failed':
      return problem(400, 'malformed-body', `The request body is not valid JSON: ${e.message ?? ''}`.trim());
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'unsupported-media-type', e.message);
    case 'request.aborted':
      return problem(400, 'request-aborted', 'The client aborted the request');
    default:
  }
  if (isUnavailableError(err)) return problem(503, 'database-unavailable', 'The database is unavailable');
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problem(status, 'client-error', e.message);
  }
  return problem(500, 'internal', 'Something went wrong on our side');
}

/**
 * Sends a JSON body the service has already serialized: the affinity hot path skips parse + stringify, and the bytes
 * go out as they are (no re-encoding, no ETag hashing of every answer).
 */
export function sendJson(res: import('express').Response, body: Buffer): void {
  res.status(200);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.end(body);
}

export function sendProblem(res: import('express').Response, p: Problem) {
  res.status(p.status).type('application/problem+json').send(JSON.stringify(p));
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      // Answered already (the request's deadline passed first): nothing more to send, and the connection stays usable.
      if (res.writableEnded) {
        logger.warn({ err, path: req.path, method: req.method }, 'request failed after its deadline was answered');
        return;
      }
      return next(err);
    }
    const p = toProblem(err);
    if (p.status === 503) {
      // An outage the answer already reports (readiness probes ask every few seconds): one line, no stack per request.
      res.setHeader('Retry-After', '5');
      logger.warn({ path: req.path, method: req.method, reason: (err as Error)?.message }, 'request answered 503');
    } else if (p.status >= 500) {
      logger.error({ err, path: req.path, method: req.method }, 'request failed');
    }
    sendProblem(res, p);
  };
}

export function notFoundHandler(req: Request): never {
  throw new AppError(404, 'not-found', `No route for ${req.method} ${req.path}`);
}
