import type { ErrorRequestHandler, Request } from 'express';
import { z, ZodError, type ZodType } from 'zod';
import { AppError } from '../errors.js';
import { isUnavailableError } from '../db/neo4j.js';
import type { Logger } from '../logger.js';

export const PROBLEM_TYPE_BASE = 'https://natural-segmentation.dev/problems/';

export function zodIssues(err: ZodError, prefix = ''): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

/** Parses with a schema or throws a 400 problem naming every bad field. */
export function parseOr400<S extends ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw AppError.badRequest(`Invalid ${where}`, zodIssues(result.error, where));
  return result.data;
}

// ---- cursor pagination ----------------------------------------------------------------------------------------

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(2000).optional(),
});
export type PageQuery = z.output<typeof pageQuery>;

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Cursors are opaque to clients; a tampered one is a 400, never a 500. */
export function decodeCursor<S extends ZodType>(schema: S, cursor: string | undefined): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    /* fall through */
  }
  throw AppError.badRequest('Invalid cursor', [{ path: 'query.cursor', message: 'not a cursor this API issued' }]);
}

/** Offset cursors: enough for lists that are ordered by a stable key. */
export const offsetCursor = z.object({ o: z.number().int().min(0) });

export function offsetPage<T>(rowsPlusOne: T[], limit: number, offset: number): { items: T[]; nextCursor?: string } {
  const items = rowsPlusOne.slice(0, limit);
  return rowsPlusOne.length > limit ? { items, nextCursor: encodeCursor({ o: offset + limit }) } : { items };
}

// ---- problems ---------------------------------------------------------------------------------------------------

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
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

export function problem(status: number, code: string, detail?: string, errors?: unknown[]): Problem {
  return {
    type: PROBLEM_TYPE_BASE + code,
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length ? { errors } : {}),
  };
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
    if (res.headersSent) return next(err);
    const p = toProblem(err);
    if (p.status >= 500) {
      if (p.status === 503) res.setHeader('Retry-After', '5');
      logger.error({ err, path: req.path, method: req.method }, 'request failed');
    }
    sendProblem(res, p);
  };
}

export function notFoundHandler(req: Request): never {
  throw new AppError(404, 'not-found', `No route for ${req.method} ${req.path}`);
}
