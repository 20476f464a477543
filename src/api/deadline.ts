import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import { problem, sendProblem } from './http.js';

/**
 * Which deadline a route answers within: `request` (REQUEST_TIMEOUT_MS) for ordinary calls, `bulk`
 * (BULK_REQUEST_TIMEOUT_MS) for routes that carry large bodies or many writes (imports, event batches, a login that
 * reads every page of likes).
 */
export type RouteDeadline = 'request' | 'bulk';

interface DeadlineState {
  timer: NodeJS.Timeout;
  started: number;
}

const STATE = Symbol('deadline');
type WithDeadline = Response & { [STATE]?: DeadlineState };

/**
 * Starts every request's deadline as it arrives, before sessions and credentials are read (both may wait on Neo4j).
 * When it passes before an answer has begun, the client gets 503 `database-unavailable` with Retry-After at once;
 * whatever the handler still does finishes within its own database deadlines and is not sent.
 */
export function requestDeadline(defaultMs: number, logger: Logger): RequestHandler {
  return (req, res, next) => {
    arm(res as WithDeadline, defaultMs, Date.now(), logger, `${req.method} ${req.path}`);
    // 'close' follows 'finish' on a completed response too (and alone on a dropped connection): one listener does.
    res.once('close', () => clearTimeout((res as WithDeadline)[STATE]?.timer));
    next();
  };
}

function arm(res: WithDeadline, ms: number, started: number, logger: Logger, what: string): void {
  clearTimeout(res[STATE]?.timer);
  const left = Math.max(0, ms - (Date.now() - started));
  const timer = setTimeout(() => {
    if (res.headersSent) return;
    logger.warn({ request: what, deadlineMs: ms }, 'request deadline passed: answered 503');
    res.setHeader('Retry-After', '5');
    sendProblem(
      res,
      problem(503, 'database-unavailable', `No answer within ${ms / 1000} s: the database is slow or unavailable; try again`),
    );
  }, left);
  timer.unref();
  res[STATE] = { timer, started };
}

/** Gives a route a longer deadline, counted from the request's arrival (see requestDeadline). */
export function extendDeadline(ms: number, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const state = (res as WithDeadline)[STATE];
    if (state) arm(res as WithDeadline, ms, state.started, logger, `${req.method} ${req.path}`);
    next();
  };
}
