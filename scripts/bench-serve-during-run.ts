/**
 * Does a segmentation run stall serving? `npx tsx scripts/bench-serve-during-run.ts [--users 50000] [--interests 25]
 *   [--communities 120] [--topics-per-community 94] [--interval 50] [--idle 20] [--after 10] [--mode worker|in-process]
 *   [--seed 1] [--heap 4g] [--rate R --window 20] [--cpu-prof DIR]`
 *
 * Planted profiles (scripts/generate.ts; 50k × 25 interests over 120 communities ≈ 11.3k topics by default, as in
 * issue 16) are loaded straight into a throwaway Neo4j (or NEO4J_URI, which must be empty). Then the service runs as
 * its own process:
 * - `--mode worker` (default): `src/main.ts` as `npm start` runs it (WORKER=embedded: runs execute in its supervised
 *   worker process);
 * - `--mode in-process`: scripts/lib/serve-in-process.ts, the same API with the run worker hosted in the API process
 *   (runs on the request loop, as before the worker process): the baseline.
 * A first run gives everyone affinities. Then `/healthz` and one person's `GET /v1/users/:user/affinities` are each
 * polled every `--interval` ms (a request starts `interval` after the previous one started, or as soon as it answered
 * when it took longer): first for `--idle` s with nothing running, then during a second run until it has finished,
 * then `--after` s more (the API processes switch to the new run then).
 * Reported per window and endpoint: requests, failed (network errors and non-2xx), p50, p99 and max latency; the
 * server's own event-loop delay (max, from /metrics) and this poller's (a stall here would be charged to the server).
 * `--rate R` replaces the two pollers with content-system load: R requests a second for the affinities of people drawn
 * at random (scripts/lib/constant-rate.ts in its own process: open model, latency from each request's due time), for
 * `--window` s idle, `--window` s while the second run works (started once the run is claimed; the run must outlast
 * it, which is checked) and `--after` s after it.
 * `--cpu-prof DIR` writes V8 CPU profiles of the service's processes (API and run worker, one per thread) into DIR.
 * `--timeline MS` (with `--rate`) also prints each window stretch by stretch of MS: requests due, p99 and max, and the
 * share of a core the API process, the run worker and Neo4j used meanwhile (where a tail comes from).
 * `--log-level L` passes LOG_LEVEL to the service (its log lines go to this terminal).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import type { GenerateOptions } from '../src/demo/planted.js';
import { loadPlantedUsers } from './lib/load-planted.js';
import { plantedArgs, plantedFrom } from './lib/planted-options.js';
import { cpuSeconds, CpuSampler, descendants } from './lib/proc.js';
import { NICENESS } from '../src/priority.js';
import { type ConstantRateFigures, runConstantRateProcess } from './lib/constant-rate.js';
import { mulberry32 } from '../src/segmentation/random.js';

const { values: opts } = parseArgs({
  options: {
    ...plantedArgs({ users: '50000', communities: '120', topicsPerCommunity: '94' }),
    interval: { type: 'string', default: '50' },
    idle: { type: 'string', default: '20' },
    after: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'worker' },
    heap: { type: 'string', default: '4g' },
    rate: { type: 'string' },
    window: { type: 'string', default: '20' },
    'cpu-prof': { type: 'string' },
    timeline: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
if (opts.mode !== 'worker' && opts.mode !== 'in-process') throw new Error('--mode must be worker or in-process');
const interval = Number(opts.interval);
const gen: GenerateOptions = plantedFrom(opts);
const ADMIN_KEY = 'bench-admin-key-0123456789';
const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startServer(uri: string, password: string, port: number): ChildProcess {
  const entry = opts.mode === 'worker' ? 'src/main.ts' : 'scripts/lib/serve-in-process.ts';
  const prof = opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opts['cpu-prof']] : [];
  return spawn(process.execPath, [...prof, '--import', 'tsx', entry], {
    env: {
      ...process.env,
      NEO4J_URI: uri,
      NEO4J_PASSWORD: password,
      PORT: String(port),
      DEMO_DATA: 'false',
      LOG_LEVEL: opts['log-level'],
      NODE_ENV: 'production',
      ADMIN_API_KEY: ADMIN_KEY,
      SECRET_KEY: 'bench-secret-key-0123456789',
      // Two pollers at 20 req/s each stay under any sensible limit; raised anyway so a limit is never what is measured.
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** The bench's own requests (not measured). A stalled server resets connections: that is an answer too (status 0). */
async function call(base: string, method: string, p: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

async function runToEnd(base: string): Promise<Record<string, any>> {
  return waitForRun(base, await startRun(base));
}

async function startRun(base: string): Promise<string> {
  const queued = await call(base, 'POST', '/v1/segmentation/runs');
  if (queued.status !== 202) throw new Error(`POST /v1/segmentation/runs: ${queued.status} ${queued.body}`);
  return (JSON.parse(queued.body) as { id: string }).id;
}

/** The run's record, or undefined while the service does not answer 200 (a stalled service is polled again). */
async function getRun(base: string, id: string): Promise<Record<string, any> | undefined> {
  const res = await call(base, 'GET', `/v1/segmentation/runs/${id}`);
  return res.status === 200 ? (JSON.parse(res.body) as Record<string, any>) : undefined;
}

async function runStatus(base: string, id: string): Promise<string | undefined> {
  return (await getRun(base, id))?.status as string | undefined;
}

async function waitForRun(base: string, id: string): Promise<Record<string, any>> {
  for (;;) {
    await sleep(250);
    const run = await getRun(base, id);
    if (run?.status === 'succeeded' || run?.status === 'failed') return run;
  }
}

/** `12221 ms (project 7368, detect 3539, write 762 ms)`: a finished run's duration and phases. */
function runTimes(run: Record<string, any>): string {
  const phases = Object.entries(run.metrics.phases as Record<string, number>).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v}`);
  return `${run.metrics.durationMs} ms (${phases.join(', ')} ms)`;
}

function printMachineAndCommand(): void {
  console.log(
    `\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; load average after: ${loadAvg()}`,
  );
  console.log(`Command: npx tsx scripts/bench-serve-during-run.ts ${process.argv.slice(2).join(' ')}`.trim());
}

interface Series {
  latencies: number[];
  failed: number;
}

/** Polls each path until `until` resolves; one series per path. */
async function pollDuring(base: string, paths: string[], until: Promise<unknown>) {
  let polling = true;
  void until.finally(() => (polling = false));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const series = await Promise.all(
    paths.map(async (p) => {
      const s: Series = { latencies: [], failed: 0 };
      while (polling) {
        const started = performance.now();
        try {
          const res = await fetch(base + p, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
          await res.arrayBuffer();
          if (res.status < 200 || res.status >= 300) s.failed++;
        } catch {
          s.failed++;
        }
        const took = performance.now() - started;
        s.latencies.push(took);
        if (took < interval) await sleep(interval - took);
      }
      return s;
    }),
  );
  loop.disable();
  return { series, pollerLoopMaxMs: loop.max / 1e6 };
}

async function serverLagMaxMs(base: string): Promise<number> {
  const text = (await call(base, 'GET', '/metrics')).body;
  return Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

function summary(s: Series) {
  const sorted = [...s.latencies].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { requests: sorted.length, failed: s.failed, p50: q(0.5), p99: q(0.99), max: sorted[sorted.length - 1] ?? 0 };
}

/** `--rate`: idle, during the second run and after it, each a constant-rate window over people drawn at random. */
async function measureAtRate(base: string, refs: string[]): Promise<void> {
  const random = mulberry32(Number(opts.seed));
  const paths = Array.from(
    { length: 50_000 },
    () => `/v1/users/${encodeURIComponent(refs[Math.floor(random() * refs.length)]!)}/affinities`,
  );
  const windowS = Number(opts.window);
  const bucketMs = opts.timeline ? Number(opts.timeline) : undefined;
  const timelines: string[] = [];
  const load = async (durationS: number, label?: string) => {
    const sampler = bucketMs && label ? new CpuSampler(serviceProcesses, Math.min(250, bucketMs / 2)) : undefined;
    const f = await runConstantRateProcess({
      url: base,
      rate: Number(opts.rate),
      durationS,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      paths,
      maxSockets: 64,
      bucketMs,
    });
    if (sampler && label) timelines.push(timelineTable(label, f, sampler.stop(), bucketMs!));
    return f;
  };
  const out: Array<{ label: string; f: ConstantRateFigures; lagMs: number; load: string }> = [];
  await load(5); // warm-up: JIT and connections
  await serverLagMaxMs(base);
  console.log(`  idle: ${windowS} s at ${opts.rate} req/s`);
  out.push({ label: 'idle', f: await load(windowS, 'idle'), lagMs: await serverLagMaxMs(base), load: loadAvg() });
  const id = await startRun(base);
  while ((await runStatus(base, id)) === 'queued') await sleep(100);
  console.log(`  during the second run: ${windowS} s at ${opts.rate} req/s`);
  const during = await load(windowS, 'during run');
  const stillRunning = (await runStatus(base, id)) === 'running';
  out.push({ label: 'during run', f: during, lagMs: await serverLagMaxMs(base), load: loadAvg() });
  const run = await waitForRun(base, id);
  if (run.status !== 'succeeded') throw new Error(`second run failed: ${run.error}`);
  console.log(`  run: ${runTimes(run)}; still running when the window closed: ${stillRunning}`);
  if (!stillRunning) console.log('  (the run ended inside the window: give a shorter --window for this size)');
  console.log(`  after the run: ${opts.after} s`);
  out.push({
    label: `${opts.after} s after`,
    f: await load(Number(opts.after), `${opts.after} s after`),
    lagMs: await serverLagMaxMs(base),
    load: loadAvg(),
  });
  printMachineAndCommand();
  console.log(
    '\n| window | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | server event-loop delay max ms | generator loop max ms | load average |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { label, f, lagMs, load: l } of out) {
    console.log(
      `| ${label} | ${f.rps} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.max} | ${f.non2xx} | ${f.errors} | ${lagMs.toFixed(0)} | ${f.generatorLoopMax} | ${l} |`,
    );
  }
  for (const t of timelines) console.log(t);
}

/** The service's processes by name: the API process, what it spawned (the run worker) and the local Neo4j. */
function serviceProcesses(): Record<string, number[]> {
  return {
    api: server?.pid ? [server.pid] : [],
    worker: descendants(server?.pid),
    neo4j: local?.process.pid ? [local.process.pid] : [],
  };
}

/** One window stretch by stretch: latency of the requests due in it, and the share of a core each process used. */
function timelineTable(label: string, f: ConstantRateFigures, sampler: CpuSampler, bucketMs: number): string {
  const lines = [
    `\n${label}, by ${bucketMs} ms (due time from the window's start; CPU as a share of one core):`,
    '\n| at s | requests | p99 ms | max ms | API CPU | worker CPU | Neo4j CPU |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const b of f.timeline ?? []) {
    const from = f.startedAt + b.atMs;
    const cpu = sampler.usage(from, from + bucketMs);
    const pct = (name: string) => `${Math.round((cpu[name] ?? 0) * 100)}%`;
    lines.push(
      `| ${(b.atMs / 1000).toFixed(1)} | ${b.requests} | ${b.p99} | ${b.max} | ${pct('api')} | ${pct('worker')} | ${pct('neo4j')} |`,
    );
  }
  return lines.join('\n');
}

/** The default: `/healthz` and one person's affinities, each polled every `--interval` ms, idle, during the second run and after it. */
async function measureByPolling(base: string, person: string): Promise<void> {
  const rows: string[] = [];
  const paths = ['/healthz', person];

  const windows: Array<{ label: string; figures: Awaited<ReturnType<typeof pollDuring>>; lagMs: number }> = [];
  await serverLagMaxMs(base);
  console.log(`  idle window: ${opts.idle} s`);
  const idle = await pollDuring(base, paths, sleep(Number(opts.idle) * 1000));
  windows.push({ label: 'idle', figures: idle, lagMs: await serverLagMaxMs(base) });
  console.log('  second run, polled while it runs...');
  let second: Record<string, any> = {};
  const during = await pollDuring(
    base,
    paths,
    runToEnd(base).then((r) => (second = r)),
  );
  windows.push({ label: 'during run', figures: during, lagMs: await serverLagMaxMs(base) });
  // The API processes learn of the new run afterwards (affinity watcher, cache switch): measured on its own.
  console.log(`  after the run: ${opts.after} s`);
  const after = await pollDuring(base, paths, sleep(Number(opts.after) * 1000));
  windows.push({ label: `${opts.after} s after`, figures: after, lagMs: await serverLagMaxMs(base) });
  if (second.status !== 'succeeded') throw new Error(`second run failed: ${second.error}`);

  console.log(`  run: ${runTimes(second)}, ${second.metrics.topics} topics, ${second.metrics.segments} segments`);

  for (const w of windows) {
    paths.forEach((p, i) => {
      const s = summary(w.figures.series[i]!);
      rows.push(
        `| ${opts.mode} | ${w.label} | ${p === '/healthz' ? '/healthz' : 'affinities'} | ${s.requests} | ${s.failed} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.max.toFixed(1)} | ${w.lagMs.toFixed(0)} | ${w.figures.pollerLoopMaxMs.toFixed(0)} |`,
      );
    });
  }
  printMachineAndCommand();
  console.log(
    '\n| mode | window | endpoint | requests | failed | p50 ms | p99 ms | max ms | server event-loop delay max ms | poller event-loop delay max ms |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

let local: LocalNeo4j | undefined;
let dataDir: string | undefined;
let server: ChildProcess | undefined;
try {
  let uri = process.env.NEO4J_URI;
  let password = process.env.NEO4J_PASSWORD ?? '';
  if (!uri) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ns-bench-serve-'));
    // At the priority `npm start` gives its embedded Neo4j (src/priority.ts).
    local = await startLocalNeo4j({ dataDir, port: 0, heap: opts.heap, pagecache: '2g', niceness: NICENESS.database });
    uri = local.uri;
    password = local.password;
  }
  const db = new Db({ uri, user: process.env.NEO4J_USER ?? 'neo4j', password });
  await applySchema(db);
  const [existing] = await db.read<{ users: number }>('affinity/count-users');
  if ((existing?.users ?? 0) > 0) throw new Error(`the graph at ${uri} already has ${existing!.users} users; use an empty one`);
  console.log(
    `${gen.users} users × ~${gen.interestsPerUser} interests, ${gen.communities}×${gen.topicsPerCommunity} planted topics; mode ${opts.mode}`,
  );
  const refs = await loadPlantedUsers(db, gen);
  await db.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = startServer(uri, password, port);
  for (let ready = false; !ready;) {
    await sleep(500);
    ready = (await call(base, 'GET', '/readyz')).status === 200;
  }
  process.stdout.write('  first run... ');
  const first = await runToEnd(base);
  if (first.status !== 'succeeded') throw new Error(`first run failed: ${first.error}`);
  console.log(`${first.metrics.durationMs} ms`);
  const person = `/v1/users/${encodeURIComponent(refs[Math.floor(refs.length / 3)]!)}/affinities`;
  // The API learns of the run from the database (and its watcher): wait until the person's answer carries it.
  while (!(await call(base, 'GET', person)).body.includes(first.id)) await sleep(250);
  // The API loads everyone into memory in the background at start (segments of one are computed on read): measure
  // once it has settled.
  for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
    const before = cpuSeconds(server.pid);
    await sleep(1_000);
    if (cpuSeconds(server.pid) - before < 0.1) break;
  }
  if (opts.rate) await measureAtRate(base, refs);
  else await measureByPolling(base, person);
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, sleep(60_000)]);
  }
  await local?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
