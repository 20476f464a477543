import express from 'express';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../api/http.js';
import { listen } from '../api/listen.js';
import { createLogger } from '../logger.js';
import { sameOriginCheck } from './origin-check.js';

/** An app whose every request is a signed-in person's (cookie) unless it carries an API key. */
async function appWith(publicUrl: string | undefined): Promise<{ server: Server; base: string }> {
  const app = express();
  app.use((req, _res, next) => {
    req.principal = req.headers.authorization ? { kind: 'key', keyId: 'k', role: 'admin', name: 'k' } : { kind: 'person', userId: 'u' };
    next();
  });
  app.use(sameOriginCheck(publicUrl));
  app.all('/change', (_req, res) => void res.status(204).end());
  app.use(errorMiddleware(createLogger('silent')));
  const { server, baseUrl } = await listen(app);
  return { server, base: baseUrl };
}

const servers: Server[] = [];
let own: { server: Server; base: string };
let configured: { server: Server; base: string };
beforeAll(async () => {
  own = await appWith(undefined);
  configured = await appWith('https://segments.example/app/');
  servers.push(own.server, configured.server);
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const send = (base: string, method: string, headers: Record<string, string>) =>
  fetch(`${base}/change`, { method, headers: { cookie: 'sid=s%3Aabc', ...headers } }).then((r) => r.status);

describe('sameOriginCheck', () => {
  it('refuses a cookie-authenticated state change from another origin, null, or a cross-site fetch', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await send(own.base, method, { origin: 'https://evil.example' }), method).toBe(403);
    }
    expect(await send(own.base, 'DELETE', { origin: 'null' })).toBe(403);
    expect(await send(own.base, 'DELETE', { origin: own.base.replace('127.0.0.1', 'localhost') })).toBe(403);
    for (const site of ['cross-site', 'same-site']) expect(await send(own.base, 'DELETE', { 'sec-fetch-site': site })).toBe(403);
  });

  it('lets through our own origin, safe methods, API keys, requests without cookies and non-browser clients', async () => {
    expect(await send(own.base, 'DELETE', { origin: own.base })).toBe(204);
    expect(await send(own.base, 'DELETE', { 'sec-fetch-site': 'same-origin' })).toBe(204);
    expect(await send(own.base, 'DELETE', { 'sec-fetch-site': 'none' })).toBe(204);
    expect(await send(own.base, 'DELETE', {})).toBe(204);
    expect(await send(own.base, 'GET', { origin: 'https://evil.example' })).toBe(204);
    expect(await send(own.base, 'DELETE', { origin: 'https://evil.example', authorization: 'Bearer nsk_x' })).toBe(204);
    const noCookie = await fetch(`${own.base}/change`, { method: 'DELETE', headers: { origin: 'https://evil.example' } });
    expect(noCookie.status).toBe(204);
  });

  it('takes our origin from PUBLIC_URL when set, whatever Host the request names', async () => {
    expect(await send(configured.base, 'DELETE', { origin: 'https://segments.example' })).toBe(204);
    expect(await send(configured.base, 'DELETE', { origin: configured.base })).toBe(403);
    expect(await send(configured.base, 'DELETE', { origin: 'http://segments.example' })).toBe(403);
  });
});
