/**
 * The hot read path: the few GETs content systems make all day (a segment of one), answered from the raw `node:http`
 * request handler before Express, when the request is the simple common case and its answer needs no waiting. Every
 * other request, and every one of those that is not that case, goes to the Express app unchanged, which then answers
 * as if this path did not exist (it counted nothing, wrote nothing).
 *
 * The answer is the Express route's, byte for byte apart from Date (test/hot-path.int.test.ts compares them): the
 * security headers (helmet's, recorded once), the per-client rate limit (the same store and counts, draft-7 headers;
 * a key already counted in the current window is counted in place without waiting for the store's promise, see
 * `countNow`; a request over the limit goes to Express, which answers the 429), the access log line (the same pino-http
 * instance) and both HTTP metrics under the route template. There is no request deadline to keep: such an answer is computed
 * synchronously from memory, it never waits on the database.
 *
 * The simple common case: GET, no cookie (no session to load), `Authorization: Bearer <API key>` whose principal the
 * key cache already holds, with a role the route allows, from an address with no failed key check in the current window
 * (that budget would have to be consulted), and what the route itself accepts (`HotRoute.answer`).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Principal, Role } from '../auth/principal.js';
import { mayHaveFailed, type FailedAuthLimiter } from '../auth/middleware.js';
import type { ClientRateLimitInfo } from 'express-rate-limit';
import { countNow, draft7Policy, draft7Value, type ClientRateLimit } from './client-rate-limit.js';
import type { Metrics } from './metrics.js';

/** One GET route the hot path answers. */
export interface HotRoute {
  /** The route template, as Express names it (metrics label). */
  readonly path: string;
  /** What a raw URL must start with to be this route (a cheap first test). */
  readonly prefix: string;
  /** API-key roles the route allows (its `access`). */
  readonly roles: readonly Role[];
  /**
   * The JSON body of the route's 200 for this raw URL (path and query), or undefined when Express must answer: not
   * this route, parameters the route would refuse or parse in a way this does not, or an answer that needs waiting.
   */
  answer(url: string): Buffer | undefined;
}

export interface HotPathDeps {
  routes: readonly HotRoute[];
  /** The API-key cache (ApiKeyService.cachedPrincipal): undefined when only a lookup can tell. */
  cachedPrincipal(key: string): Principal | null | undefined;
  /** Prefixes of bearer tokens that are not API keys (share links): Express verifies those. */
  tokenPrefixes: readonly string[];
  failures: FailedAuthLimiter;
  /** The client address as Express computes `req.ip` (TRUST_PROXY). */
  ipOf(req: IncomingMessage): string;
  limiter: ClientRateLimit;
  /** The security headers of every answer (src/api/security-headers.ts). */
  securityHeaders: readonly string[];
  metrics: Metrics;
  /** The app's access log (src/api/access-log.ts), when info lines are logged. */
  accessLog?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const JSON_TYPE = 'application/json; charset=utf-8';

/** What a route's answers share, prepared once. */
interface Prepared {
  route: HotRoute;
  /**
   * The answer's headers in order, two values filled in per answer (`RateLimit` and `content-length`): the same array
   * every time, since writeHead only reads it while it builds the head.
   */
  headers: string[];
  /** Where in `headers` the two values filled in per answer go. */
  rateLimitAt: number;
  lengthAt: number;
  record(startedMs: number): void;
  answered: { inc(): void };
}

interface Hit {
  route: Prepared;
  body: Buffer;
  limitKey: string;
}

/** The request listener: the hot path first, `fallback` (the Express app) for everything it does not answer. */
export function hotPath(deps: HotPathDeps, fallback: RequestListener): RequestListener {
  const { limiter, metrics } = deps;
  const policy = draft7Policy(limiter);
  const routes: Prepared[] = deps.routes.map((route) => {
    const headers = [...deps.securityHeaders, 'RateLimit-Policy', policy, 'RateLimit', '', 'content-type', JSON_TYPE, 'content-length', ''];
    return {
      route,
      headers,
      rateLimitAt: headers.indexOf('RateLimit') + 1,
      lengthAt: headers.length - 1,
      record: metrics.recorder('GET', route.path, 200),
      answered: metrics.hotAnswers.labels({ route: route.path }),
    };
  });

  const hitOf = (req: IncomingMessage): Hit | undefined => {
    if (req.method !== 'GET' || req.headers.cookie !== undefined) return undefined;
    const url = req.url ?? '';
    const route = routes.find((r) => url.startsWith(r.route.prefix));
    if (!route) return undefined;
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || deps.tokenPrefixes.some((p) => token.startsWith(p))) return undefined;
    const principal = deps.cachedPrincipal(token);
    if (principal?.kind !== 'key' || !route.route.roles.includes(principal.role)) return undefined;
    if (deps.failures.recent.size > 0 && mayHaveFailed(deps.failures, ipKeyGenerator(deps.ipOf(req)))) return undefined;
    const body = route.route.answer(url);
    return body && { route, body, limitKey: `key:${principal.keyId}` };
  };

  const send = (req: IncomingMessage, res: ServerResponse, hit: Hit, started: number, counted: ClientRateLimitInfo, now: number) => {
    deps.accessLog?.(req, res);
    const { headers, rateLimitAt, lengthAt } = hit.route;
    headers[rateLimitAt] = draft7Value(limiter, counted.totalHits, counted.resetTime, now);
    headers[lengthAt] = String(hit.body.length);
    res.writeHead(200, headers);
    res.end(hit.body);
    hit.route.record(started);
    hit.route.answered.inc();
  };

  /** Counted by the store's own increment (a key new to the window): its promise, then the same as below. */
  const countThenSend = (req: IncomingMessage, res: ServerResponse, hit: Hit, started: number) => {
    limiter.store.increment(hit.limitKey).then(
      (counted) => (counted.totalHits <= limiter.limit ? send(req, res, hit, started, counted, Date.now()) : overLimit(req, res, hit)),
      () => fallback(req, res),
    );
  };

  // Over the limit: uncounted again, so Express counts it once and answers the 429 as it always does.
  const overLimit = (req: IncomingMessage, res: ServerResponse, hit: Hit) =>
    void limiter.store.decrement(hit.limitKey).then(() => fallback(req, res));

  return (req, res) => {
    const started = performance.now();
    let hit: Hit | undefined;
    try {
      hit = hitOf(req);
    } catch {
      hit = undefined; // whatever went wrong, Express answers it as it would have
    }
    if (!hit) return fallback(req, res);
    const now = Date.now();
    const counted = countNow(limiter, hit.limitKey, now);
    if (!counted) return countThenSend(req, res, hit, started);
    if (counted.totalHits <= limiter.limit) return send(req, res, hit, started, counted, now);
    overLimit(req, res, hit);
  };
}

/** The request listener `listen()` serves an app with: its hot path when it has one (see createApp), else the app. */
const listeners = new WeakMap<object, RequestListener>();

export function setRequestListener(app: object, listener: RequestListener): void {
  listeners.set(app, listener);
}

export function requestListenerOf(app: RequestListener): RequestListener {
  return listeners.get(app) ?? app;
}
