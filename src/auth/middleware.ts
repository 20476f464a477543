import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppError } from '../errors.js';
import type { ApiKeyService } from './api-key-service.js';
import type { Principal, Role } from './principal.js';

/**
 * Failed key checks per client address in a fixed window. The per-key limiter cannot see these (there is no key),
 * and each one costs a hash and possibly a database lookup, so an address that keeps guessing is told to wait.
 */
export class FailedAuthLimiter {
  private counts = new Map<string, number>();
  private windowStart: number;

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now();
  }

  private roll(): void {
    // Forgetting everything at the window's end keeps the map as small as one minute's worth of addresses.
    if (this.now() - this.windowStart >= this.windowMs) {
      this.counts.clear();
      this.windowStart = this.now();
    }
  }

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    this.roll();
    if ((this.counts.get(address) ?? 0) < this.limit) return 0;
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000));
  }

  fail(address: string): void {
    this.roll();
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
  }
}

/**
 * Resolves the caller for the routes that need one (mounted on /v1 only: operations endpoints, the login and the
 * dashboard's files never look at credentials, so a stray header or a database outage cannot fail them). Routes then
 * only check `req.principal`. An address over its failed-attempt budget gets 429 for any key, right or wrong, until
 * the window ends: otherwise the budget would not slow down guessing.
 */
export function authenticate(keys: ApiKeyService, failures: FailedAuthLimiter): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const address = ipKeyGenerator(req.ip ?? '');
      const wait = failures.retryAfter(address);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        throw new AppError(429, 'rate-limited', 'Too many failed authentication attempts from this address; try again later');
      }
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) {
        failures.fail(address);
        throw AppError.unauthorized('Authorization must be "Bearer <api key>"');
      }
      const principal = await keys.authenticate(m[1]!);
      if (!principal) {
        failures.fail(address);
        throw AppError.unauthorized('Unknown or revoked API key');
      }
      req.principal = principal;
    } else if (req.user?.userId) {
      req.principal = { kind: 'person', userId: req.user.userId };
    }
    next();
  };
}

/** Who may call a route: nobody checked, a signed-in person, or API keys of the given roles. */
export type Access = 'public' | 'person' | readonly Role[];

export function authorize(principal: Principal | undefined, access: Access): void {
  if (access === 'public') return;
  if (!principal) throw AppError.unauthorized();
  if (access === 'person') {
    if (principal.kind !== 'person') throw AppError.forbidden('Only a signed-in person may do this');
    return;
  }
  if (principal.kind !== 'key' || !access.includes(principal.role)) {
    throw AppError.forbidden(`Requires one of the roles: ${access.join(', ')}`);
  }
}
