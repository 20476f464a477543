import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { createApp } from '../src/app.js';
import { closeNow, listen } from '../src/api/listen.js';
import { loadConfig } from '../src/config.js';
import { Db } from '../src/db/neo4j.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { SESSION_COOKIE } from '../src/people/index.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('operations endpoints', () => {
  it('answers /healthz and /readyz against the real Neo4j', async () => {
    const health = await t.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await t.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', neo4j: 'up' });
  });

  it('exposes Prometheus metrics that count requests by route template', async () => {
    await t.call('GET', '/healthz');
    const res = await t.call('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI document generated from the route schemas, and the docs page', async () => {
    const res = await t.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/v1/api-keys', '/v1/api-keys/{id}']));
    expect(doc.paths['/v1/api-keys']).toHaveProperty('post');
    const docs = await t.call('GET', '/docs/');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await t.call('GET', '/v1/no-such-thing', { key: t.adminKey });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = (await res.json()) as { status: number; title: string; type: string };
    expect(body).toMatchObject({ status: 404, title: 'Not Found' });
    expect(body.type).toMatch(/not-found$/);
  });
});

const PUBLIC_OPS = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/'];

describe('public operations endpoints and credentials', () => {
  it('never read the Authorization header: a wrong or malformed one changes nothing', async () => {
    for (const authorization of ['Bearer nsk_wrong-key', 'Basic abc', 'Bearer']) {
      for (const path of PUBLIC_OPS) {
        const res = await t.call('GET', path, { headers: { authorization } });
        expect(res.status, `${path} with "${authorization}"`).toBe(200);
      }
    }
    // The same header on a route that needs a principal is still refused.
    expect((await t.call('GET', '/v1/segments', { headers: { authorization: 'Bearer nsk_wrong-key' } })).status).toBe(401);
  });

  it('answers /healthz while the database is unreachable, even with a key that cannot be checked', async () => {
    // A port nobody listens on: every database call fails.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const uri = `bolt://127.0.0.1:${port}`;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      NEO4J_URI: uri,
      SECRET_KEY: 'test-secret-key-0123456789',
      DEMO_DATA: 'false',
    });
    const db = new Db({ uri, user: 'neo4j', password: '' });
    const services = createServices({ config, db, logger: createLogger('silent'), secretKey: config.SECRET_KEY! });
    const { server, baseUrl } = await listen(createApp(services));
    try {
      const health = await fetch(`${baseUrl}/healthz`, { headers: { authorization: 'Bearer nsk_cannot-be-checked' } });
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      // A signed-in browser's session cookie (signed as express-session signs it) is not looked up on /healthz either.
      const sid = 'a-session-that-only-the-database-knows';
      const mac = createHmac('sha256', config.SECRET_KEY!).update(sid).digest('base64').replace(/=+$/, '');
      const cookie = `${SESSION_COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
      const withCookie = await fetch(`${baseUrl}/healthz`, { headers: { cookie } });
      expect(withCookie.status).toBe(200);
      // ...while on /v1 the same cookie does reach the session store, which is down.
      expect((await fetch(`${baseUrl}/v1/me`, { headers: { cookie } })).status).toBe(503);
      const ready = await fetch(`${baseUrl}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await closeNow(server);
      await services.shutdown();
      await db.close();
    }
  });
});

interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  requestBody?: unknown;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>>; required?: string[] }> };
}

describe('the OpenAPI document describes every answer', () => {
  let doc: OpenApiDoc;
  beforeAll(async () => {
    doc = (await (await t.call('GET', '/openapi.json')).json()) as OpenApiDoc;
  });
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const op = (method: string, path: string) => doc.paths[path]![method]!;

  it('gives every error response a problem+json body, /auth/* included', () => {
    for (const { path, method, op: o } of operations()) {
      for (const [status, r] of Object.entries(o.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(r.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
      }
    }
    expect(Object.keys(op('get', '/auth/facebook/callback').responses)).toEqual(
      expect.arrayContaining(['302', '400', '401', '502', '503']),
    );
    const problem = doc.components.schemas.Problem!;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
  });

  it('lists 429 on every /v1 operation and 401/403 wherever credentials are needed', () => {
    for (const { path, method, op: o } of operations()) {
      if (path.startsWith('/v1/')) expect(o.responses, `${method} ${path}`).toHaveProperty('429');
      if (path.startsWith('/v1/')) expect(o.responses, `${method} ${path}`).toHaveProperty('401');
      if (path.startsWith('/v1/')) expect(o.responses, `${method} ${path}`).toHaveProperty('403');
    }
  });

  it('lists 404 where a handler can answer it without a path parameter', () => {
    for (const [method, path] of [
      ['get', '/v1/me'],
      ['get', '/v1/me/interests'],
      ['get', '/v1/me/affinities'],
      ['put', '/v1/me/consent'],
      ['delete', '/v1/me'],
      ['post', '/v1/audiences/query'],
    ] as const) {
      expect(op(method, path).responses, `${method} ${path}`).toHaveProperty('404');
    }
  });

  it('describes CSV beside JSON for audiences, 409s as problems, and public routes without auth errors', () => {
    for (const [method, path] of [
      ['get', '/v1/segments/{id}/audience'],
      ['post', '/v1/audiences/query'],
    ] as const) {
      expect(Object.keys(op(method, path).responses['200']!.content!).sort()).toEqual(['application/json', 'text/csv']);
      expect(op(method, path).responses['409']!.description).toMatch(/cursor-stale/);
    }
    expect(op('post', '/v1/segmentation/runs').responses['409']!.content).toHaveProperty('application/problem+json');
    for (const path of ['/v1/segments', '/v1/segments/{id}/topics'])
      expect(op('get', path).responses['409']!.description).toMatch(/cursor-stale/);
    expect(Object.keys(op('get', '/healthz').responses).sort()).toEqual(['200']);
    expect(Object.keys(op('get', '/readyz').responses).sort()).toEqual(['200', '503']);
    expect(doc.paths).toHaveProperty('/openapi.json');
    expect(doc.paths).toHaveProperty('/docs');
  });

  it('marks startedAt as always present and null while queued', () => {
    const run = doc.components.schemas.SegmentationRun!;
    expect(run.required).toContain('startedAt');
    expect(JSON.stringify(run.properties!.startedAt)).toMatch(/null/);
  });

  it('documents limit as an integer with its default', () => {
    const params = (op('get', '/v1/segments') as unknown as { parameters: Array<{ name: string; schema: Record<string, unknown> }> })
      .parameters;
    expect(params.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
  });
});

describe('problem bodies and query parsing', () => {
  it('always carries detail, and every 400 lists errors, the body-level ones included', async () => {
    const noBody = await t.call('POST', '/v1/api-keys', { key: t.adminKey });
    const malformed = await t.call('POST', '/v1/api-keys', {
      key: t.adminKey,
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    for (const res of [noBody, malformed]) {
      expect(res.status).toBe(400);
      const p = (await res.json()) as { detail: string; errors: Array<{ path: string; message: string }> };
      expect(p.detail.length).toBeGreaterThan(0);
      expect(p.errors).toEqual([{ path: 'body', message: p.detail }]);
    }
    const notFound = (await (await t.call('GET', '/v1/api-keys/nope', { key: t.adminKey, headers: {} })).json()) as { detail?: string };
    expect(notFound).toHaveProperty('detail');
  });

  it('reads an empty ?limit= as the default and refuses numbers that are not decimal digits', async () => {
    expect((await t.call('GET', '/v1/api-keys?limit=', { key: t.adminKey })).status).toBe(200);
    for (const limit of ['0x10', '1e2', '0', '1001', '-1']) {
      const res = await t.call('GET', `/v1/api-keys?limit=${encodeURIComponent(limit)}`, { key: t.adminKey });
      expect(res.status, limit).toBe(400);
      expect(((await res.json()) as { errors: Array<{ path: string }> }).errors[0]!.path).toBe('query.limit');
    }
  });
});

describe('request logging', () => {
  const capture = (level: string) => {
    const lines: string[] = [];
    return { lines, logger: createLogger(level, { write: (line: string) => void lines.push(line) }) };
  };

  it("writes a line per request at info, without the caller's key, and none at warn", async () => {
    const info = capture('info');
    const warn = capture('warn');
    const verbose = await startTestApp({}, { logger: info.logger });
    const quiet = await startTestApp({}, { logger: warn.logger });
    try {
      for (const app of [verbose, quiet]) expect((await app.call('GET', '/v1/api-keys', { key: app.adminKey })).status).toBe(200);
      const logged = () => info.lines.map((l) => JSON.parse(l) as Record<string, any>).find((e) => e.req?.url === '/v1/api-keys');
      await vi.waitFor(() => expect(logged()).toBeDefined());
      expect(logged()).toMatchObject({ msg: 'request completed', req: { method: 'GET' }, res: { statusCode: 200 } });
      expect(info.lines.join('\n')).not.toContain(verbose.adminKey);
      expect(warn.lines.filter((l) => l.includes('/v1/api-keys'))).toEqual([]);
    } finally {
      await verbose.close();
      await quiet.close();
    }
  });
});
