import type { Request, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type ClientRateLimitInfo, type RateLimitRequestHandler } from 'express-rate-limit';
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
 * What the store's `increment` would count, without waiting for its promise, when the key has already been counted in
 * the current window (MemoryStore.increment then adds one hit to the same record, same reset time): the hot read path's
 * common case. Undefined when only `increment` can say (a key new to the window, or its window ended); nothing is
 * counted then.
 */
export function countNow(rl: ClientRateLimit, key: string, now = Date.now()): ClientRateLimitInfo | undefined {
  const client = rl.store.current.get(key);
  if (!client || client.resetTime.getTime() <= now) return undefined;
  client.totalHits++;
  return client;
}

/** The `RateLimit-Policy` header's value: the same on every answer of this limit. */
export function draft7Policy(rl: ClientRateLimit): string {
  return `${rl.limit};w=${Math.ceil(rl.windowMs / 1000)}`;
}

/** The `RateLimit` header's value for a request counted as hit number `totalHits` of a window ending at `resetTime`. */
export function draft7Value(rl: ClientRateLimit, totalHits: number, resetTime: Date | undefined, now = Date.now()): string {
  const reset = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - now) / 1000)) : Math.ceil(rl.windowMs / 1000);
  return `limit=${rl.limit}, remaining=${Math.max(rl.limit - totalHits, 0)}, reset=${reset}`;
}
