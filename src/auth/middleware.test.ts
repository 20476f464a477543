import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { errorMiddleware } from '../api/http.js';
import { listen } from '../api/listen.js';
import { createLogger } from '../logger.js';
import type { ApiKeyService } from './api-key-service.js';
import { authenticate, authorize, failedAuthLimiter } from './middleware.js';

describe('authenticate with a failed-attempt budget per address', () => {
  let server: Server;
  let base: string;
  const keys = {
    authenticate: async (key: string) => (key === 'nsk_right' ? { kind: 'key', keyId: 'k', role: 'admin', name: 'right' } : null),
  } as unknown as ApiKeyService;

  beforeAll(async () => {
    const app = express();
    // The test speaks for several addresses through X-Forwarded-For.
    app.set('trust proxy', true);
    app.use(authenticate(keys, failedAuthLimiter(3, 1_000)));
    app.get('/', (req, res) => void res.json({ who: req.principal?.kind ?? null }));
    app.use(errorMiddleware(createLogger('silent')));
    ({ server, baseUrl: base } = await listen(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const call = (authorization: string, address = '10.0.0.1') => fetch(base, { headers: { authorization, 'x-forwarded-for': address } });

  it('lets an address fail up to the limit, then refuses every key from it until its window ends', async () => {
    // Right keys, even many at once, spend nothing.
    const ok = await Promise.all(Array.from({ length: 20 }, () => call('Bearer nsk_right')));
    expect(ok.map((r) => r.status)).toEqual(Array(20).fill(200));
    const failures = [await call('Bearer nsk_wrong-1'), await call('Basic abc'), await call('Bearer nsk_wrong-2')];
    expect(failures.map((r) => r.status)).toEqual([401, 401, 401]);
    const blocked = await call('Bearer nsk_wrong-3');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await blocked.json()) as { type: string }).type).toMatch(/rate-limited$/);
    expect((await call('Bearer nsk_right')).status).toBe(429);
    // Another address has its own budget.
    expect((await call('Bearer nsk_right', '10.0.0.2')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await call('Bearer nsk_right')).status).toBe(200);
  });
});

describe('authorize', () => {
  it('refuses no principal with 401 and the wrong kind or role with 403', () => {
    expect(() => authorize(undefined, 'public')).not.toThrow();
    expect(() => authorize(undefined, ['admin'])).toThrow(expect.objectContaining({ status: 401 }));
    const marketer = { kind: 'key', keyId: 'k', role: 'marketer', name: 'm' } as const;
    expect(() => authorize(marketer, ['admin'])).toThrow(AppError);
    expect(() => authorize(marketer, 'person')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize({ kind: 'person', userId: 'u' }, ['marketer'])).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorize(marketer, ['marketer', 'admin'])).not.toThrow();
  });
});
