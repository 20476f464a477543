import type { Request, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import type { Principal } from '../auth/principal.js';
import { problem, sendProblem } from './http.js';

/**
 * The per-client limit on /v1 (RATE_LIMIT_PER_MINUTE): per API key, person, share link, or else address. Its store is
 * held here so the hot read path (src/api/hot-path.ts) counts its answers in the same counts.
 */
export interface ClientRateLimit {
  readonly limit: number;
  readonly windowMs: number;
  readonly store: MemoryStore;
  readonly middleware: RateLimitRequestHandler;
}

/** The key a principal's requests are counted under (the address for anonymous requests). */
export function rateLimitKey(principal: Principal | undefined, req: Request): string {
  return principal?.kind === 'key'
    ? `key:${principal.keyId}`
    : principal?.kind === 'person'
      ? `person:${principal.userId}`
      : principal?.kind === 'share'
        ? `share:${principal.linkId}`
        : `ip:${ipKeyGenerator(req.ip ?? '')}`;
}

export function clientRateLimit(limit: number, windowMs = 60_000): ClientRateLimit {
  const store = new MemoryStore();
  const middleware = rateLimit({
    windowMs,
    limit,
    store,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // X-Forwarded-For is ignored on purpose unless TRUST_PROXY names the proxy: no warning about it.
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => rateLimitKey(req.principal, req),
    handler: (_req: Request, res: Response) => sendProblem(res, problem(429, 'rate-limited', 'Too many requests; slow down')),
  });
  return { limit, windowMs, store, middleware };
}

/**
 * The IETF draft-7 headers express-rate-limit sets (`RateLimit-Policy`, `RateLimit`), as `[name, value, …]`, for a
 * request that was counted as hit number `totalHits` of a window ending at `resetTime`.
 */
export function draft7Headers(rl: ClientRateLimit, totalHits: number, resetTime: Date | undefined, now = Date.now()): string[] {
  const windowSeconds = Math.ceil(rl.windowMs / 1000);
  const reset = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - now) / 1000)) : windowSeconds;
  return [
    'RateLimit-Policy',
    `${rl.limit};w=${windowSeconds}`,
    'RateLimit',
    `limit=${rl.limit}, remaining=${Math.max(rl.limit - totalHits, 0)}, reset=${reset}`,
  ];
}
