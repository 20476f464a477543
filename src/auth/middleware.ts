import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { AppError } from '../errors.js';
import type { ApiKeyService } from './api-key-service.js';
import type { Principal, Role } from './principal.js';

/** Failed API-key checks one address may make in a window, counted by express-rate-limit. */
export interface FailedAuthLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Counts a failure (express-rate-limit middleware; past the limit it passes a 429 AppError on). */
  readonly count: RateLimitRequestHandler;
  /**
   * Addresses (ipKeyGenerator keys) with a failure in the last window, and until when: without waiting on the store,
   * the hot read path (src/api/hot-path.ts) knows that an address has nothing counted against it.
   */
  readonly recent: Map<string, number>;
}

/** Whether an address may have failures counted in the current window (false: it certainly has none). */
export function mayHaveFailed(failures: FailedAuthLimiter, ipKey: string, now = Date.now()): boolean {
  const until = failures.recent.get(ipKey);
  if (until === undefined) return false;
  if (until > now) return true;
  failures.recent.delete(ipKey);
  return false;
}

/**
 * Failed key checks per client address in a window. The per-key limiter cannot see these (there is no key), and each
 * one costs a hash and possibly a database lookup, so an address that keeps guessing is told to wait. Only failures
 * are counted (`authenticate` calls `count` after one), so a busy client with a right key never spends this budget.
 */
export function failedAuthLimiter(limit: number, windowMs = 60_000): FailedAuthLimiter {
  const count = rateLimit({
    windowMs,
    limit,
    standardHeaders: false,
    legacyHeaders: false,
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    // Two failures racing past the check both count; the one over the limit is refused like any other over-limit try.
    handler: (_req, res, next) => {
      res.setHeader('Retry-After', String(Math.ceil(windowMs / 1000)));
      next(tooManyFailures());
    },
  });
  return { limit, windowMs, count, recent: new Map() };
}

function pruneRecent(failures: FailedAuthLimiter): void {
  const now = Date.now();
  for (const [ip, until] of failures.recent) if (until <= now) failures.recent.delete(ip);
}

function tooManyFailures(): AppError {
  return new AppError(429, 'rate-limited', 'Too many failed authentication attempts from this address; try again later');
}

/** Bearer tokens that are not API keys, told apart by their prefix (share links: `nss_`). */
export interface TokenVerifier {
  prefix: string;
  /** The principal, or an AppError 401 saying why not. */
  verify(token: string): Promise<Principal>;
}

/**
 * Resolves the caller for the routes that need one (mounted on /v1 only: operations endpoints, the login and the
 * dashboard's files never look at credentials, so a stray header or a database outage cannot fail them). Routes then
 * only check `req.principal`. An address over its failed-attempt budget gets 429 for any key, right or wrong, until
 * the window ends: otherwise the budget would not slow down guessing.
 */
export function authenticate(keys: ApiKeyService, failures: FailedAuthLimiter, tokens: readonly TokenVerifier[] = []): RequestHandler {
  const fail = (req: Request, res: Response) => {
    const ipKey = ipKeyGenerator(req.ip ?? '');
    // A window starts at an address's first failure, so marking the address for one window from now covers it.
    failures.recent.set(ipKey, Date.now() + failures.windowMs);
    if (failures.recent.size > 100_000) pruneRecent(failures);
    return new Promise<void>((resolve, reject) => void failures.count(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  };
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const spent = await failures.count.getKey(ipKeyGenerator(req.ip ?? ''));
      const now = Date.now();
      if (spent && spent.totalHits >= failures.limit && spent.resetTime && spent.resetTime.getTime() > now) {
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil((spent.resetTime.getTime() - now) / 1000))));
        throw tooManyFailures();
      }
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) {
        await fail(req, res);
        throw AppError.unauthorized('Authorization must be "Bearer <api key>"');
      }
      const verifier = tokens.find((t) => m[1]!.startsWith(t.prefix));
      if (verifier) {
        try {
          req.principal = await verifier.verify(m[1]!);
        } catch (err) {
          if (err instanceof AppError && err.status === 401) await fail(req, res);
          throw err;
        }
        return next();
      }
      const principal = await keys.authenticate(m[1]!);
      if (!principal) {
        await fail(req, res);
        throw AppError.unauthorized('Unknown or revoked API key');
      }
      req.principal = principal;
    } else if (req.user?.userId) {
      req.principal = { kind: 'person', userId: req.user.userId };
    }
    next();
  };
}

/** Who may call a route: nobody checked, a signed-in person, a share link's holder, or API keys of the given roles. */
export type Access = 'public' | 'person' | 'share' | readonly Role[];

export function authorize(principal: Principal | undefined, access: Access): void {
  if (access === 'public') return;
  if (!principal) throw AppError.unauthorized();
  if (access === 'person') {
    if (principal.kind !== 'person') throw AppError.forbidden('Only a signed-in person may do this');
    return;
  }
  if (access === 'share') {
    if (principal.kind !== 'share') throw AppError.forbidden("Only a report's share link opens this");
    return;
  }
  if (principal.kind !== 'key' || !access.includes(principal.role)) {
    throw AppError.forbidden(`Requires one of the roles: ${access.join(', ')}`);
  }
}
