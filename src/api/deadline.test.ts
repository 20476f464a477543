import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createLogger } from '../logger.js';
import { extendDeadline, requestDeadline } from './deadline.js';
import { errorMiddleware } from './http.js';
import { listen } from './listen.js';

let server: Server;
let base: string;
const logger = createLogger('silent');

beforeAll(async () => {
  const app = express();
  app.use(requestDeadline(300, logger));
  const never = () => new Promise<never>(() => undefined);
  app.get('/hangs', async () => never());
  app.get('/slow-fails', async () => {
    await new Promise((r) => setTimeout(r, 500));
    throw new Error('too late to tell anyone');
  });
  app.get('/bulk', extendDeadline(900, logger), async (_req, res) => {
    await new Promise((r) => setTimeout(r, 600));
    res.json({ done: true });
  });
  app.get('/quick', (_req, res) => void res.json({ ok: true }));
  app.use(errorMiddleware(logger));
  ({ server, baseUrl: base } = await listen(app));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function timedGet(path: string) {
  const started = performance.now();
  const res = await fetch(base + path);
  const body = await res.text();
  return { res, body, ms: performance.now() - started };
}

describe('request deadline', () => {
  it('answers 503 database-unavailable (problem+json, Retry-After) when a handler has not answered in time', async () => {
    const { res, body, ms } = await timedGet('/hangs');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(body)).toMatchObject({ status: 503, type: expect.stringMatching(/database-unavailable$/) });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_500);
  });

  it('keeps the connection usable when the handler fails after the deadline was answered', async () => {
    expect((await timedGet('/slow-fails')).res.status).toBe(503);
    await new Promise((r) => setTimeout(r, 400));
    expect((await timedGet('/quick')).res.status).toBe(200);
  });

  it('lets a route extend its deadline, counted from arrival, and leaves quick answers alone', async () => {
    const bulk = await timedGet('/bulk');
    expect(bulk.res.status).toBe(200);
    expect(JSON.parse(bulk.body)).toEqual({ done: true });
    expect((await timedGet('/quick')).res.status).toBe(200);
  });
});
