import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

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
