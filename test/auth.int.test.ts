import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('API keys and roles', () => {
  it('refuses missing and wrong credentials with 401 problems', async () => {
    const none = await t.call('GET', '/v1/api-keys');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await t.call('GET', '/v1/api-keys', { key: 'nsk_not-a-real-key' })).status).toBe(401);
    const malformed = await t.call('GET', '/v1/api-keys', { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
  });

  it('lets an admin create a key that is shown once and stored hashed', async () => {
    const res = await t.call('POST', '/v1/api-keys', { key: t.adminKey, body: { name: 'crm sync', role: 'ingest' } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string; role: string };
    expect(created.role).toBe('ingest');
    expect(created.key).toMatch(/^nsk_/);
    const stored = await t.db.read<{ hash: string; hasKey: boolean }>('test/api-key-by-id', { id: created.id });
    expect(stored[0]!.hash).toHaveLength(64);
    expect(stored[0]!.hash).not.toContain(created.key);
    expect(stored[0]!.hasKey).toBe(false);

    const list = (await (await t.call('GET', '/v1/api-keys?limit=1000', { key: t.adminKey })).json()) as {
      items: Array<Record<string, unknown>>;
    };
    const listed = list.items.find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'crm sync', role: 'ingest' });
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  it('gives 403 to a role that may not manage keys, and a revoked key stops working', async () => {
    const marketer = await t.keyFor('marketer');
    expect((await t.call('GET', '/v1/api-keys', { key: marketer })).status).toBe(403);
    expect((await t.call('POST', '/v1/api-keys', { key: marketer, body: { name: 'x', role: 'admin' } })).status).toBe(403);

    const created = (await (await t.call('POST', '/v1/api-keys', { key: t.adminKey, body: { name: 'temp', role: 'admin' } })).json()) as {
      id: string;
      key: string;
    };
    expect((await t.call('GET', '/v1/api-keys', { key: created.key })).status).toBe(200);
    expect((await t.call('DELETE', `/v1/api-keys/${created.id}`, { key: t.adminKey })).status).toBe(204);
    // The short key cache is invalidated on revoke, so the key is refused at once.
    expect((await t.call('GET', '/v1/api-keys', { key: created.key })).status).toBe(401);
    expect((await t.call('DELETE', `/v1/api-keys/${created.id}`, { key: t.adminKey })).status).toBe(404);
  });

  it('refuses a marketer revoking a key, and the key keeps working', async () => {
    const marketer = await t.keyFor('marketer');
    const created = (await (await t.call('POST', '/v1/api-keys', { key: t.adminKey, body: { name: 'kept', role: 'content' } })).json()) as {
      id: string;
      key: string;
    };
    const res = await t.call('DELETE', `/v1/api-keys/${created.id}`, { key: marketer });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await t.call('GET', '/v1/segments', { key: created.key })).status).toBe(200);
    const list = (await (await t.call('GET', '/v1/api-keys?limit=1000', { key: t.adminKey })).json()) as { items: Array<{ id: string }> };
    expect(list.items.map((k) => k.id)).toContain(created.id);
  });

  it('validates input with per-field errors, content type and malformed JSON', async () => {
    const bad = await t.call('POST', '/v1/api-keys', { key: t.adminKey, body: { name: '', role: 'owner', extra: 1 } });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.name', 'body.role']));

    const text = await t.call('POST', '/v1/api-keys', {
      key: t.adminKey,
      raw: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);

    const broken = await t.call('POST', '/v1/api-keys', {
      key: t.adminKey,
      raw: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { detail: string }).detail).toMatch(/not valid JSON/);

    const badCursor = await t.call('GET', '/v1/api-keys?cursor=zzz', { key: t.adminKey });
    expect(badCursor.status).toBe(400);
  });
});

describe('rate limiting', () => {
  it('limits failed key checks per address, then refuses even a right key from there until the window ends', async () => {
    // RATE_LIMIT_PER_MINUTE also caps the failed-attempt budget (min(30, it)).
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '4' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.call('GET', '/v1/segments', { key: `nsk_guess-${i}` })).status);
      statuses.push((await limited.call('GET', '/v1/segments', { headers: { authorization: 'Basic abc' } })).status);
      expect(statuses).toEqual([401, 401, 401, 401]);
      const blocked = await limited.call('GET', '/v1/segments', { key: 'nsk_guess-5' });
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('content-type')).toMatch(/problem\+json/);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await blocked.json()) as { type: string }).type).toMatch(/rate-limited$/);
      expect((await limited.call('GET', '/v1/segments', { key: limited.adminKey })).status).toBe(429);
      // Public endpoints do not look at credentials, so they are not affected.
      expect((await limited.call('GET', '/healthz', { key: 'nsk_guess-6' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const failFrom = (app: TestApp, address: string) =>
      app.call('GET', '/v1/segments', { key: 'nsk_guess', headers: { 'x-forwarded-for': address } });
    const direct = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    const proxied = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' });
    try {
      // Every guess claims another address; without a trusted proxy they all count against the real one.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await failFrom(direct, `203.0.113.${i + 1}`)).status);
      expect(statuses).toEqual([401, 401, 429]);
      // Behind a trusted proxy on loopback the forwarded address is the client's: each has its own budget.
      const forwarded: number[] = [];
      for (let i = 0; i < 3; i++) forwarded.push((await failFrom(proxied, `203.0.113.${i + 1}`)).status);
      expect(forwarded).toEqual([401, 401, 401]);
      expect((await failFrom(proxied, '203.0.113.1')).status).toBe(401);
      expect((await failFrom(proxied, '203.0.113.1')).status).toBe(429);
    } finally {
      await direct.close();
      await proxied.close();
    }
  });

  it('answers 429 problem+json past the per-key limit, counting each key separately', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const key = await limited.keyFor('marketer');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/v1/api-keys', { key })).status);
      expect(statuses).toEqual([403, 403, 403, 429]);
      const res = await limited.call('GET', '/v1/api-keys', { key });
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await res.json()) as { status: number }).status).toBe(429);
      // Another key still has its own budget.
      expect((await limited.call('GET', '/v1/api-keys', { key: limited.adminKey })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
