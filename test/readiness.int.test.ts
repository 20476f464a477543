import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePassword } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { superviseNeo4j, type SupervisedNeo4j } from '../src/db/supervisor.js';
import { createLogger } from '../src/logger.js';
import { startTestApp, type TestApp } from './support/app.js';

// This file runs its own Neo4j, supervised as `npm start` runs it, so that stalling or killing it does not disturb the
// shared one.
let neo4j: SupervisedNeo4j;
let dataDir: string;
let t: TestApp;
let gaveUp: Error | undefined;

// A second app with short deadlines notices a stall quickly; the defaults are in the README's configuration table.
const QUERY_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-ready-'));
  neo4j = await superviseNeo4j(
    { dataDir, port: 0, password: generatePassword() },
    { logger: createLogger('silent'), onGiveUp: (err) => (gaveUp = err) },
  );
  t = await startTestApp({ NEO4J_URI: neo4j.uri, NEO4J_PASSWORD: neo4j.password }, { applySchema: true });
  neo4j.attach(t.db);
});

afterAll(async () => {
  // A failed assertion must not leave the server stopped: it could then not shut down.
  const pid = neo4j?.current().process.pid;
  if (pid && neo4j.current().process.exitCode === null) process.kill(pid, 'SIGCONT');
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

/** The kernel stops a process's threads as they next run: wait until /proc says every one of them has. */
async function waitStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const tasks = readdirSync(`/proc/${pid}/task`);
    const states = tasks.map((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      } catch {
        return 'T'; // a thread that ended meanwhile
      }
    });
    if (states.every((st) => st === 'T' || st === 't')) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} did not stop: ${states.join('')}`);
    await new Promise((r) => setTimeout(r, 20));
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
    expect((await t.call('GET', '/v1/api-keys', { key: t.adminKey })).status).toBe(200);
    const fast = await startTestApp({
      NEO4J_URI: neo4j.uri,
      NEO4J_PASSWORD: neo4j.password,
      NEO4J_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
    expect((await fast.call('GET', '/readyz')).status).toBe(200);
    expect((await fast.call('GET', '/v1/api-keys', { key: fast.adminKey })).status).toBe(200);
    const pid = neo4j.current().process.pid!;

    process.kill(pid, 'SIGSTOP');
    try {
      await waitStopped(pid);
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

      // A read with a valid key that goes to Neo4j every time (segments are served from memory): the key check
      // (cached or not) and the query each give up at their deadline.
      const read = await timed(fast, '/v1/api-keys', fast.adminKey);
      expect(read.res.status).toBe(503);
      expect(((await (await fast.call('GET', '/healthz')).json()) as { status: string }).status).toBe('ok');
      expect(read.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
      const problem = (await (await fast.call('GET', '/v1/api-keys', { key: fast.adminKey })).json()) as { type: string; status: number };
      expect(problem).toMatchObject({ status: 503 });
      expect(problem.type).toMatch(/database-unavailable$/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    expect((await waitForStatus('/readyz', 200, 30_000, undefined, fast)).status).toBe(200);
    expect((await waitForStatus('/v1/api-keys', 200, 30_000, fast.adminKey, fast)).status).toBe(200);
    await fast.close();
  }, 120_000);

  it('restarts a killed embedded Neo4j by itself, answering 503 at once while it is away', async () => {
    expect((await t.call('GET', '/readyz')).status).toBe(200);
    const down = new Promise<void>((resolve) => neo4j.on('down', resolve));
    const up = new Promise<void>((resolve) => neo4j.on('up', resolve));
    const killed = neo4j.current();
    process.kill(killed.process.pid!, 'SIGKILL');
    await down;

    // While it is away: the process answers, database routes say 503 (never 500) without waiting for a deadline.
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    const ready = await timed(t, '/readyz');
    expect(ready.res.status).toBe(503);
    expect(ready.ms).toBeLessThan(1_000);
    const read = await timed(t, '/v1/api-keys', 'nsk_a-key-nobody-can-check-now');
    expect(read.res.status).toBe(503);
    expect(read.res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(read.ms).toBeLessThan(1_000);

    await up;
    expect(neo4j.current()).not.toBe(killed);
    expect(neo4j.current().port).toBe(killed.port);
    expect((await waitForStatus('/readyz', 200, 30_000)).status).toBe(200);
    // Same data and password: the key made before the kill still works, through the app's existing driver.
    expect((await waitForStatus('/v1/api-keys', 200, 30_000, t.adminKey)).status).toBe(200);
    expect(gaveUp).toBeUndefined();
    // Starting a JVM database again on a loaded 2-core machine can alone take a minute.
  }, 240_000);

  it('runs the embedded Neo4j with authentication: a wrong or empty password is refused', async () => {
    // Two failed logins only: Neo4j locks the account for a few seconds after three.
    const wrong = new Db({ uri: neo4j.uri, user: 'neo4j', password: 'not-the-password' });
    const empty = new Db({ uri: neo4j.uri, user: 'neo4j', password: '' });
    try {
      await expect(wrong.read('ops/ping')).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
      expect(await empty.ping()).toBe(false);
    } finally {
      await wrong.close();
      await empty.close();
    }
    expect((await t.call('GET', '/readyz')).status).toBe(200);
  });
});
