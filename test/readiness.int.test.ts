import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { startTestApp, type TestApp } from './support/app.js';

// This file runs its own Neo4j so that stalling or stopping it does not disturb the shared one.
let neo4j: LocalNeo4j;
let dataDir: string;
let t: TestApp;

// A second app with short deadlines notices a stall quickly; the defaults are in the README's configuration table.
const QUERY_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-ready-'));
  neo4j = await startLocalNeo4j({ dataDir, port: 0 });
  t = await startTestApp({ NEO4J_URI: neo4j.uri }, { applySchema: true });
});

afterAll(async () => {
  // A failed assertion must not leave the server stopped: it could then not shut down.
  if (neo4j?.process.pid) process.kill(neo4j.process.pid, 'SIGCONT');
  await t?.close();
  await neo4j?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitForStatus(path: string, status: number, timeoutMs = 60_000, key?: string, app = t): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.call('GET', path, key ? { key } : {});
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function timed(app: TestApp, path: string, key?: string): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await app.call('GET', path, key ? { key } : {});
  await res.arrayBuffer();
  return { res, ms: performance.now() - started };
}

describe('readiness and deadlines follow the database', () => {
  it('answers 503 within its deadlines while Neo4j is stalled (SIGSTOP), and is ready again after SIGCONT', async () => {
    // Its statements run once on the default deadlines first: a cold server plans them slowly.
    expect((await t.call('GET', '/v1/segments', { key: t.adminKey })).status).toBe(200);
    const fast = await startTestApp({
      NEO4J_URI: neo4j.uri,
      NEO4J_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    expect((await fast.call('GET', '/readyz')).status).toBe(200);
    expect((await fast.call('GET', '/v1/segments', { key: fast.adminKey })).status).toBe(200);
    const pid = neo4j.process.pid!;

    process.kill(pid, 'SIGSTOP');
    try {
      const ready = await timed(fast, '/readyz');
      expect(ready.res.status).toBe(503);
      expect(ready.res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(ready.ms).toBeLessThan(2_000);
      // Probes keep answering in time however many arrive during the stall.
      const probes = await Promise.all(Array.from({ length: 5 }, () => timed(fast, '/readyz')));
      for (const p of probes) {
        expect(p.res.status).toBe(503);
        expect(p.ms).toBeLessThan(2_000);
      }

      // A read with a valid key: the key check (cached or not) and the query each give up at their deadline.
      const read = await timed(fast, '/v1/segments', fast.adminKey);
      expect(read.res.status).toBe(503);
      expect(((await (await fast.call('GET', '/healthz')).json()) as { status: string }).status).toBe('ok');
      expect(read.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
      const problem = (await (await fast.call('GET', '/v1/segments', { key: fast.adminKey })).json()) as { type: string; status: number };
      expect(problem).toMatchObject({ status: 503 });
      expect(problem.type).toMatch(/database-unavailable$/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    expect((await waitForStatus('/readyz', 200, 30_000, undefined, fast)).status).toBe(200);
    expect((await waitForStatus('/v1/segments', 200, 30_000, fast.adminKey, fast)).status).toBe(200);
    await fast.close();
  }, 120_000);

  it('flips /readyz to 503 when Neo4j stops and back to 200 when it returns', async () => {
    expect((await t.call('GET', '/readyz')).status).toBe(200);

    await neo4j.stop();
    const down = await waitForStatus('/readyz', 503);
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/problem\+json/);
    // The process itself is still up, and database-backed routes answer 503, not 500.
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    expect((await t.call('GET', '/v1/api-keys', { key: 'nsk_any-key-at-all' })).status).toBe(503);

    neo4j = await startLocalNeo4j({ dataDir, port: neo4j.port });
    const up = await waitForStatus('/readyz', 200);
    expect(up.status).toBe(200);
    expect((await t.call('GET', '/v1/api-keys', { key: t.adminKey })).status).toBe(200);
    // Stopping and starting a JVM database twice on a loaded 2-core machine can alone take a minute.
  }, 240_000);
});
