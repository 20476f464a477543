/**
 * The hot read path: the few GETs content systems make all day (a segment of one), answered from the raw `node:http`
 * request handler before Express, when the request is the simple common case and its answer needs no waiting. Every
 * other request, and every one of those that is not that case, goes to the Express app unchanged, which then answers
 * as if this path did not exist (it counted nothing, wrote nothing).
 *
 * The answer is the Express route's, byte for byte apart from Date (test/hot-path.int.test.ts compares them): the
 * security headers (helmet's, recorded once), the per-client rate limit (the same store and counts, draft-7 headers;
 * a request over the limit goes to Express, which answers the 429), the access log line (the same pino-http instance)
 * and both HTTP metrics under the route template. There is no request deadline to keep: such an answer is computed
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
import { draft7Headers, type ClientRateLimit } from './client-rate-limit.js';
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

interface Hit {
  route: HotRoute;
  body: Buffer;
  limitKey: string;
}

/** The request listener: the hot path first, `fallback` (the Express app) for everything it does not answer. */
export function hotPath(deps: HotPathDeps, fallback: RequestListener): RequestListener {
  const { limiter, metrics } = deps;
  const hotAnswers = new Map(deps.routes.map((r) => [r, metrics.hotAnswers.labels({ route: r.path })]));

  const hitOf = (req: IncomingMessage): Hit | undefined => {
    if (req.method !== 'GET' || req.headers.cookie !== undefined) return undefined;
    const url = req.url ?? '';
    const route = deps.routes.find((r) => url.startsWith(r.prefix));
    if (!route) return undefined;
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || deps.tokenPrefixes.some((p) => token.startsWith(p))) return undefined;
    const principal = deps.cachedPrincipal(token);
    if (principal?.kind !== 'key' || !route.roles.includes(principal.role)) return undefined;
    if (deps.failures.recent.size > 0 && mayHaveFailed(deps.failures, ipKeyGenerator(deps.ipOf(req)))) return undefined;
    const body = route.answer(url);
    return body && { route, body, limitKey: `key:${principal.keyId}` };
  };

  const send = (req: IncomingMessage, res: ServerResponse, hit: Hit, started: number, totalHits: number, resetTime?: Date) => {
    deps.accessLog?.(req, res);
    res.writeHead(200, [
      ...deps.securityHeaders,
      ...draft7Headers(limiter, totalHits, resetTime),
      'content-type',
      JSON_TYPE,
      'content-length',
      String(hit.body.length),
    ]);
    res.end(hit.body);
    metrics.record('GET', hit.route.path, 200, started);
    hotAnswers.get(hit.route)!.inc();
  };

  return (req, res) => {
    const started = performance.now();
    let hit: Hit | undefined;
    try {
      hit = hitOf(req);
    } catch {
      hit = undefined; // whatever went wrong, Express answers it as it would have
    }
    if (!hit) return fallback(req, res);
    const found = hit;
    limiter.store.increment(found.limitKey).then(
      ({ totalHits, resetTime }) => {
        if (totalHits <= limiter.limit) return send(req, res, found, started, totalHits, resetTime);
        // Over the limit: uncounted again, so Express counts it once and answers the 429 as it always does.
        void limiter.store.decrement(found.limitKey).then(() => fallback(req, res));
      },
      () => fallback(req, res),
    );
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
