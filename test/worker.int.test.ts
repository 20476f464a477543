/**
 * Runs execute in a worker process, never on the API's request loop: the real worker process (spawned and supervised
 * by src/worker/supervisor.ts, as `npm start` does), real HTTP, real Neo4j. Killed mid-run it leaves the previous run
 * visible and its run failed at once; SIGTERM stops its run, which never succeeds; the API's event loop stays free
 * during a run over 20k people; two API apps and two workers execute each run once.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateProfiles, plantedTopics, type GenerateOptions } from '../src/demo/planted.js';
import { topicId, topicKey } from '../src/graph/topic-key.js';
import type { WorkerExit } from '../src/worker/supervisor.js';
import { cpuSeconds } from '../scripts/lib/proc.js';
import { finishedRun, getJson, importProfiles, sleep, type Run } from './support/dashboard-seed.js';
import { banner, startMain } from './support/main-process.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startTestWorker, waitReady, type TestWorker } from './support/worker.js';

interface ActiveRun extends Run {
  phase?: string;
  createdAt: string;
  startedAt: string | null;
}

let t: TestApp;
let marketer: string;
const prefix = `w${randomUUID().slice(0, 8)}-`;
const POPULATION: GenerateOptions = {
  users: 20_000,
  communities: 20,
  topicsPerCommunity: 10,
  interestsPerUser: 10,
  noise: 0.2,
  seed: 11,
  prefix,
};

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  marketer = await t.keyFor('marketer');
  // People of its own, so that the first runs find segments whatever other files left in the shared database (a run
  // that finds none is rejected: src/segmentation/run-validation.ts).
  const few = { users: 120, communities: 3, topicsPerCommunity: 5, interestsPerUser: 4, noise: 0.05, seed: 5, prefix: `${prefix}few-` };
  await importProfiles(t, await t.keyFor('ingest'), [...generateProfiles(few)]);
});

afterAll(async () => {
  await t?.close();
});

const supervisor = () => t.worker!.supervisor!;

async function queueRun(app: TestApp = t, key = marketer): Promise<string> {
  const res = await app.call('POST', '/v1/segmentation/runs', { key, body: {} });
  expect(res.status, await res.clone().text()).toBe(202);
  const accepted = (await res.json()) as { id: string; status: string };
  expect(accepted.status).toBe('queued');
  return accepted.id;
}

const getRun = (id: string, app: TestApp = t) => getJson<ActiveRun>(app, marketer, `/v1/segmentation/runs/${id}`);
const visibleRun = async () => (await getJson<{ runId: string | null }>(t, marketer, '/v1/segments')).runId;

/** Polls the run until it is in one of `phases` (it must not finish first). */
async function untilPhase(id: string, phases: string[], timeoutMs = 120_000): Promise<ActiveRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(id);
    if (run.status === 'running' && phases.includes(run.phase ?? '')) return run;
    if (run.status === 'succeeded' || run.status === 'failed') throw new Error(`run ${id} ${run.status} before reaching ${phases}`);
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status} ${run.phase}`);
    await sleep(50);
  }
}

/** What of a run is left in the database (nodes and relationships naming it). */
async function runReferences(id: string): Promise<{ nodes: number; relationships: number } | undefined> {
  const [refs] = await t.db.read<{ nodes: number; relationships: number }>(
    'segmentation/count-run-references',
    { runId: id },
    { deadline: 'batch' },
  );
  return refs;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Waits until a process uses less than a tenth of a core over a second (at most a minute). */
async function quiet(pid: number): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const before = cpuSeconds(pid);
    await sleep(1_000);
    if (cpuSeconds(pid) - before < 0.1) return;
  }
}

/** Direct Node children of a process (Linux): its worker, not tsx's esbuild service. */
function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  const pids = text ? text.split(/\s+/).map(Number) : [];
  return pids.filter((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node');
}

/** An idle Node process that measures its own event-loop delay: what the machine alone does to a loop. */
function startControl() {
  const src = `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable();
setInterval(() => {}, 1000);
process.on('message', (m) => { if (m === 'reset') h.reset(); process.send(h.max / 1e6); });`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (m: string) =>
    new Promise<number>((resolve) => {
      child.once('message', (v) => resolve(v as number));
      child.send(m);
    });
  return { reset: () => ask('reset'), max: () => ask('max'), kill: () => child.kill() };
}

function nextExit(): Promise<WorkerExit> {
  return new Promise((resolve) => supervisor().once('exit', resolve));
}

describe('the run worker process', () => {
  it('refuses to start with a clear message when SEGMENTATION_ENGINE=gds and the database has no Graph Data Science', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
      env: {
        ...process.env,
        NEO4J_URI: inject('neo4jUri'),
        NEO4J_PASSWORD: inject('neo4jPassword'),
        SEGMENTATION_ENGINE: 'gds',
        SECRET_KEY: 'test-secret-key-0123456789',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => output.push(l));
    createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(output.join('\n')).toMatch(/SEGMENTATION_ENGINE=gds needs the Neo4j Graph Data Science plugin/);
  }, 60_000);

  it('claims each queued run exactly once, however many workers compete', async () => {
    // An engine no worker runs, so only the contenders below see the run.
    const { repository } = t.services.segmentation;
    const id = `contest-${randomUUID()}`;
    expect(await repository.createRun(id, {}, 'contest')).not.toBeNull();
    try {
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => repository.claimNextRun(`contender-${i}`, 'contest')));
      expect(claims.filter((c) => c?.id === id)).toHaveLength(1);
      const [row] = await t.db.read<{ claims: number; owner: string }>('test/run-claims', { id });
      expect(row!.claims).toBe(1);
      expect(row!.owner).toMatch(/^contender-/);
    } finally {
      await repository.failRun(id, 'test over');
    }
  });

  it('executes runs queued through either of two API apps once each, with two workers competing, starting within about a second', async () => {
    const other = await startTestApp();
    let second: TestWorker | undefined;
    try {
      // A second worker process, supervised on behalf of the other app (its queue nudges it).
      second = await startTestWorker('process', other);
      const otherKey = (await other.services.apiKeys.create('other', 'marketer')).key;
      for (const [app, key] of [
        [t, marketer],
        [other, otherKey],
        [other, otherKey],
        [t, marketer],
      ] as const) {
        const id = await queueRun(app, key);
        const run = (await finishedRun(app, key, id, Date.now() + 120_000)) as ActiveRun;
        expect(run.status, run.error).toBe('succeeded');
        expect(Date.parse(run.startedAt!) - Date.parse(run.createdAt)).toBeLessThan(2_000);
        const [row] = await t.db.read<{ claims: number; owner: string }>('test/run-claims', { id });
        expect(row!.claims).toBe(1);
        expect([supervisor().instanceId, second.supervisor!.instanceId]).toContain(row!.owner);
      }
    } finally {
      await second?.stop();
      await other.close();
    }
  }, 300_000);
});

describe('a run over 20k people', () => {
  const topicIds = plantedTopics(POPULATION).map((p) => topicId(p.name));

  beforeAll(async () => {
    await t.db.writeBatches(
      'segmentation/bench-create-topics',
      plantedTopics(POPULATION).map((p) => ({ id: topicId(p.name), key: topicKey(p.name), name: p.name, category: p.category })),
    );
    let batch: unknown[] = [];
    let n = 0;
    for (const r of generateProfiles(POPULATION)) {
      batch.push({
        id: `${prefix}${n++}`,
        consent: true,
        interests: r.interests.map((i) => ({ topic: topicId(i.topic), weight: i.weight })),
      });
      if (batch.length === 2_000) {
        await t.db.write('segmentation/bench-create-users', { rows: batch }, { deadline: 'batch' });
        batch = [];
      }
    }
    if (batch.length) await t.db.write('segmentation/bench-create-users', { rows: batch }, { deadline: 'batch' });
  }, 300_000);

  afterAll(async () => {
    // Later files' runs would otherwise segment (and score) this population too.
    for (;;) {
      const [row] = await t.db.write<{ deleted: number }>('test/delete-users', { prefix }, { deadline: 'batch' });
      if (!row || row.deleted === 0) break;
    }
    await t.db.write('test/delete-topics', { ids: topicIds }, { deadline: 'batch' });
  }, 300_000);

  it("leaves the API request loop free: the API process's event-loop delay and CPU stay low during the run", async () => {
    // The API process as `npm start` runs it (with its own supervised worker); its event-loop delay is its own figure
    // (prom-client's nodejs_eventloop_lag_max_seconds, reset by every scrape), not this busier process's. An idle
    // control process measures, in the same window, what the machine alone does to an event loop (this one is shared).
    // The window is the run itself: the API switching to the new run afterwards is serving work, measured by
    // scripts/bench-serve-during-run.ts.
    const stateDir = mkdtempSync(path.join(tmpdir(), 'ns-worker-'));
    const service = startMain(stateDir, { ADMIN_API_KEY: 'test-admin-key-0123456789', SECRET_KEY: 'test-secret-key-0123456789' });
    const exited = new Promise<number | null>((resolve) => service.on('exit', (code) => resolve(code)));
    const control = startControl();
    try {
      const { base, key } = await banner(service);
      const apiPid = service.pid!;
      // Every worker that may claim the run: the service's own child and this file's.
      const workerPids = () => [...childPids(apiPid), supervisor().pid!];
      const sample = async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const lagMs = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)![1]) * 1000;
        return { at: performance.now(), lagMs, api: cpuSeconds(apiPid), workers: sum(workerPids().map((p) => cpuSeconds(p))) };
      };
      const health = { requests: 0, failed: 0 };
      let polling = true;
      const poller = (async () => {
        while (polling) {
          try {
            const res = await fetch(`${base}/healthz`);
            await res.arrayBuffer();
            if (res.status !== 200) health.failed++;
          } catch {
            health.failed++;
          }
          health.requests++;
          await sleep(50);
        }
      })();
      // The API loads everyone into memory in the background at start (segments of one are computed on read).
      await quiet(apiPid);
      // What answering these polls costs the API, per second, with nothing running.
      const idleStart = await sample();
      await sleep(3_000);
      const idleEnd = await sample();
      const idleCpuRate = (idleEnd.api - idleStart.api) / ((idleEnd.at - idleStart.at) / 1000);

      await control.reset();
      const res = await fetch(`${base}/v1/segmentation/runs`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      // Samples every 500 ms; one counts if the run was still active right after it (so it lies wholly within the run).
      const first = await sample();
      let last = first;
      let lagMs = 0;
      for (;;) {
        await sleep(500);
        const s = await sample();
        const status = (await getRun(id)).status;
        if (status !== 'queued' && status !== 'running') break;
        lagMs = Math.max(lagMs, s.lagMs);
        last = s;
      }
      const controlMs = await control.max();
      polling = false;
      await poller;
      const run = await getRun(id);
      expect(run.status, run.error).toBe('succeeded');
      expect(run.metrics!.users).toBeGreaterThanOrEqual(POPULATION.users);
      const seconds = (last.at - first.at) / 1000;
      const apiCpu = last.api - first.api;
      const apiExtra = apiCpu - idleCpuRate * seconds;
      const workersCpu = last.workers - first.workers;
      console.log(
        `API process during ${seconds.toFixed(1)} s of a ${run.metrics!.durationMs} ms run over ${run.metrics!.users} people: ` +
          `event-loop delay max ${lagMs.toFixed(1)} ms (idle control process: ${controlMs.toFixed(1)} ms), CPU ${apiCpu.toFixed(2)} s ` +
          `(${apiExtra.toFixed(2)} s beyond answering polls; workers: ${workersCpu.toFixed(2)} s); ` +
          `/healthz: ${health.requests} requests, ${health.failed} failed`,
      );
      expect(seconds).toBeGreaterThan(1);
      // Were the run on this loop, pair counting and Louvain alone would hold it for seconds, and the API would spend
      // the run's CPU while the workers idle.
      expect(lagMs).toBeLessThan(Math.max(250, 2 * controlMs));
      expect(apiExtra).toBeLessThan(0.5 * workersCpu);
      expect(health.failed).toBe(0);
    } finally {
      control.kill();
      service.kill('SIGTERM');
      expect(await exited).toBe(0);
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('kill -9 of the worker mid-run: the previous run stays visible, the run is failed at once, a new worker takes over', async () => {
    const previous = await visibleRun();
    expect(previous).not.toBeNull();
    const id = await queueRun();
    const reached = await untilPhase(id, ['detect', 'write']);
    const oldPid = supervisor().pid!;
    const exited = nextExit();
    process.kill(oldPid, 'SIGKILL');
    const killedAt = Date.now();
    expect((await exited).signal).toBe('SIGKILL');

    const run = await finishedRun(t, marketer, id, Date.now() + 60_000);
    expect(run.status).toBe('failed');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(run.error).toMatch(/interrupted: the worker process running it died \(killed by SIGKILL\)/);
    expect(await visibleRun()).toBe(previous);
    // Nothing the dead worker wrote for the run is left (it had reached reached.phase).
    const [refs] = await t.db.read<{ nodes: number; relationships: number }>(
      'segmentation/count-run-references',
      { runId: id },
      { deadline: 'batch' },
    );
    expect({ phase: reached.phase, ...refs }).toEqual({ phase: reached.phase, nodes: 0, relationships: 0 });

    const restarted = await waitReady(supervisor());
    expect(restarted.pid).not.toBe(oldPid);
  }, 300_000);

  it('SIGTERM mid-run: the run stops at its next check, is cleaned up and marked failed, and never succeeds', async () => {
    const previous = await visibleRun();
    const id = await queueRun();
    // The longest phase: interests streaming in (checked every 1,000 people), then pair counting.
    await untilPhase(id, ['project']);
    const exited = nextExit();
    const termAt = Date.now();
    process.kill(supervisor().pid!, 'SIGTERM');
    // A clean exit: the worker stopped its run itself, well before the run would have ended.
    expect(await exited).toMatchObject({ code: 0, signal: null });
    console.log(`worker stopped its run and exited ${Date.now() - termAt} ms after SIGTERM`);
    const run = await getRun(id);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('interrupted: shutdown');
    expect(await visibleRun()).toBe(previous);
    expect(await runReferences(id)).toEqual({ nodes: 0, relationships: 0 });
    // The supervisor starts a new worker, which does not pick the run up again.
    await waitReady(supervisor());
    await sleep(1_000);
    expect((await getRun(id)).status).toBe('failed');
  }, 300_000);

  it('SIGTERM to the service (npm start) mid-run: its worker stops the run, which is cleaned up and failed before the service exits 0, and the logs say so', async () => {
    const previous = await visibleRun();
    // Only the service's own worker may claim the run: this file's worker stops (this is the file's last test).
    await supervisor().stop();
    const stateDir = mkdtempSync(path.join(tmpdir(), 'ns-worker-'));
    const service = startMain(stateDir, {
      ADMIN_API_KEY: 'test-admin-key-0123456789',
      SECRET_KEY: 'test-secret-key-0123456789',
      LOG_LEVEL: 'info',
    });
    const exited = new Promise<number | null>((resolve) => service.on('exit', (code) => resolve(code)));
    try {
      const { base, key, lines } = await banner(service);
      const res = await fetch(`${base}/v1/segmentation/runs`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const reached = await untilPhase(id, ['project', 'detect']);
      service.kill('SIGTERM');
      expect(await exited).toBe(0);
      // By the time the service has exited, the run is failed, cleaned up, and not running anywhere.
      const run = await getRun(id);
      expect({ phase: reached.phase, status: run.status, error: run.error }).toEqual({
        phase: reached.phase,
        status: 'failed',
        error: 'interrupted: shutdown',
      });
      expect(await visibleRun()).toBe(previous);
      expect(await runReferences(id)).toEqual({ nodes: 0, relationships: 0 });
      const runs = await getJson<{ items: Array<{ id: string; status: string }> }>(t, marketer, '/v1/segmentation/runs?limit=50');
      expect(runs.items.filter((r) => r.status === 'queued' || r.status === 'running')).toEqual([]);
      // What the logs said is what happened, and nothing claims success. (Two processes write to this pipe: the order
      // of the lines is not asserted.)
      const messages = lines.flatMap((l) => {
        try {
          return [(JSON.parse(l) as { msg?: string }).msg ?? ''];
        } catch {
          return [];
        }
      });
      const at = (text: string) => messages.findIndex((m) => m.includes(text));
      expect(at('run worker stopping')).toBeGreaterThanOrEqual(0);
      expect(at('segmentation run stopped by shutdown')).toBeGreaterThanOrEqual(0);
      expect(at('run worker stopped')).toBeGreaterThanOrEqual(0);
      expect(at('segmentation run succeeded')).toBe(-1);
      expect(messages.join('\n')).not.toMatch(/could not (clean up|mark)|did not finish cleanly/);
    } finally {
      if (service.exitCode === null) service.kill('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 300_000);
});
