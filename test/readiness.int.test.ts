import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { startTestApp, type TestApp } from './support/app.js';

// This file runs its own Neo4j so that stopping it does not disturb the shared one.
let neo4j: LocalNeo4j;
let dataDir: string;
let t: TestApp;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-ready-'));
  neo4j = await startLocalNeo4j({ dataDir, port: 0 });
  t = await startTestApp({ NEO4J_URI: neo4j.uri }, { applySchema: true });
});

afterAll(async () => {
  await t?.close();
  await neo4j?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitForStatus(path: string, status: number, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.call('GET', path);
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('readiness follows the database', () => {
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
