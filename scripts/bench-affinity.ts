/**
 * `npx tsx scripts/bench-affinity.ts [--users 100000] [--interests 25] [--communities 50] [--topics-per-community 30]
 *   [--rate 1000] [--duration 30] [--repeat 3] [--connections 32] [--seed 1] [--alloc-profile DIR]
 *   [--cpu-profile DIR] [--log-level warn]`
 *
 * Segment-of-one read path under load. Planted-community data (scripts/generate.ts, loaded straight into Neo4j with
 * crm: identities by scripts/cypher/affinity/bench-*.cypher) → a real segmentation run through createServices (no per-person
 * work: affinities are computed on read) → everyone loaded into the app's memory (time reported) → the real app on
 * loopback → GET
 * /v1/users/:user/affinities over random `crm:` addresses with a content key: one run at a fixed rate from a separate
 * process (scripts/lib/constant-rate.ts: open model, latency from each request's due time), one at maximum throughput
 * (autocannon, closed model), the same through Express alone (the app with its hot read path off, src/api/hot-path.ts)
 * and a fixed-rate baseline of the same stack answering GET /healthz. For the fixed-rate
 * runs it also reports the server's event-loop delay, GC pauses and the CPU taken by the server and by Neo4j. Last, the
 * same maximum-throughput load against a bare `node:http` server: the floor the service's 2xx rate is compared with.
 * A throwaway Neo4j is started unless NEO4J_URI is set (it must then hold an empty graph).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import autocannon from 'autocannon';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { pino } from 'pino';
import { createServices } from '../src/services.js';
import { createApp } from '../src/app.js';
import { mulberry32 } from '../src/segmentation/random.js';
import type { GenerateOptions } from '../src/demo/planted.js';
import { closeNow, listen } from '../src/api/listen.js';
import { RunWorker } from '../src/worker/run-worker.js';
import { loadPlantedUsers } from './lib/load-planted.js';
import { plantedArgs, plantedFrom } from './lib/planted-options.js';
import { cpuSeconds } from './lib/proc.js';
import { runConstantRateProcess, type ConstantRateFigures, type ConstantRateOptions } from './lib/constant-rate.js';

const { values: opts } = parseArgs({
  options: {
    ...plantedArgs({ users: '100000', communities: '50', topicsPerCommunity: '30' }),
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '32' },
    repeat: { type: 'string', default: '3' },
    heap: { type: 'string', default: '4g' },
    // Every fixed-rate run also records where the server allocated (sampled, collected objects included):
    // DIR/<run>.heapprofile, for Chrome DevTools.
    'alloc-profile': { type: 'string' },
    // The server's CPU profiles during the hot max-throughput run and the floor's: DIR/*.cpuprofile, for Chrome DevTools.
    'cpu-profile': { type: 'string' },
    // The service's log level: warn by default (no access log); `info` measures the access log line of every answer,
    // written as pino's default stream writes stdout (asynchronous sonic-boom), here to /dev/null.
    'log-level': { type: 'string', default: 'warn' },
  },
});

const users = Number(opts.users);
const gen: GenerateOptions = plantedFrom(opts);

interface Diagnostics {
  loopDelayP99: number;
  loopDelayMax: number;
  gcMaxMs: number;
  gcTotalMs: number;
  serverCpu: number;
  neo4jCpu: number;
}

type Figures = Omit<ConstantRateFigures, 'generatorLoopMax' | 'startedAt' | 'timeline'> & {
  label: string;
  diag?: Diagnostics;
  generatorLoopMax?: number;
  /** Closed-model runs: CPU µs per answer of the server's thread (this process's main thread) and of the rest of it. */
  cpuPerAnswer?: { server: number; rest: number };
};

async function cannon(label: string, url: string, key: string, setupFile: string, extra: Partial<autocannon.Options>): Promise<Figures> {
  return closedModel(label, {
    url,
    workers: 1,
    connections: Number(opts.connections),
    duration: Number(opts.duration),
    headers: { authorization: `Bearer ${key}` },
    requests: [{ method: 'GET', setupRequest: setupFile } as unknown as autocannon.Request],
    ...extra,
  });
}

/**
 * An autocannon run (its load generator is a worker thread of this process, the server answers on the main thread),
 * with the CPU each side spent per answer: where a closed-model figure is limited.
 */
async function closedModel(label: string, options: autocannon.Options): Promise<Figures> {
  const [main0, all0] = [cpuSeconds(process.pid, process.pid), cpuSeconds(process.pid)];
  const result = await autocannon(options);
  const [main, all] = [cpuSeconds(process.pid, process.pid) - main0, cpuSeconds(process.pid) - all0];
  const perAnswer = (s: number) => Math.round((s * 1e6) / Math.max(1, result.requests.total));
  return { ...figuresOf(label, result), cpuPerAnswer: { server: perAnswer(main), rest: perAnswer(all - main) } };
}

function figuresOf(label: string, result: autocannon.Result): Figures {
  return {
    label,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Fixed-rate run in a separate process (scripts/lib/constant-rate.ts): open model, latency from each due time. */
async function constantRate(label: string, url: string, key: string, paths: string[]): Promise<Figures> {
  const options: ConstantRateOptions = {
    url,
    rate: Number(opts.rate),
    durationS: Number(opts.duration),
    headers: { authorization: `Bearer ${key}` },
    paths,
    maxSockets: Number(opts.connections),
  };
  // Where a slow request's time went: the server's event loop (its own work or GC) or the CPU taken by Neo4j.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcPauses.push(e.duration)));
  gc.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const neo0 = cpuSeconds(local?.process.pid);
  const profiler = opts['alloc-profile'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('HeapProfiler.startSampling', {
      samplingInterval: 32 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  loop.enable();
  const figures = await runConstantRateProcess(options);
  loop.disable();
  if (profiler) {
    const { profile } = await profiler.post('HeapProfiler.stopSampling');
    const file = path.join(opts['alloc-profile']!, `${label.replace(/[^\w.-]+/g, '_')}.heapprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
  }
  gc.disconnect();
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(opts.duration);
  const diag: Diagnostics = {
    loopDelayP99: Math.round(loop.percentile(99) / 1e5) / 10,
    loopDelayMax: Math.round(loop.max / 1e5) / 10,
    gcMaxMs: Math.round(Math.max(0, ...gcPauses) * 10) / 10,
    gcTotalMs: Math.round(gcPauses.reduce((a, b) => a + b, 0)),
    serverCpu: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
    neo4jCpu: Math.round(((cpuSeconds(local?.process.pid) - neo0) / seconds) * 100),
  };
  return { label, ...figures, diag };
}

/** Runs `work` under V8's CPU profiler when --cpu-profile is given (the load generator's worker thread is not in it). */
async function cpuProfiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!opts['cpu-profile']) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(opts['cpu-profile'], `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/**
 * The machine's ceiling, measured in the same run as the service: a bare `node:http` server in this process (the
 * service is idle meanwhile) answering a small JSON body to the same closed-model load.
 */
async function bareHttpFloor(): Promise<Figures> {
  const body = JSON.stringify({ ok: true, items: [0, 1, 2, 3, 4] });
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = bare.address() as AddressInfo;
    return await closedModel('floor: bare node:http, max throughput', {
      url: `http://127.0.0.1:${port}/`,
      workers: 1,
      connections: Number(opts.connections),
      duration: Number(opts.duration),
    });
  } finally {
    bare.closeAllConnections();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
}

/** Waits (up to a minute) until a process uses under 5% of a core over two seconds. */
async function settle(pid: number | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (pid && Date.now() < deadline) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 2000));
    if (cpuSeconds(pid) - before < 0.1) return;
  }
}

/** Warnings on stdout as before; at info or below (a line per answer) everything goes to /dev/null the same way. */
function serviceLogger(level: string) {
  const verbose = ['info', 'debug', 'trace'].includes(level);
  return createLogger(level, verbose ? pino.destination({ dest: '/dev/null', sync: false }) : undefined);
}

let local: LocalNeo4j | undefined;
let dataDir: string | undefined;
let uri = process.env.NEO4J_URI;
if (!uri) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-bench-aff-'));
  local = await startLocalNeo4j({ dataDir, port: 0, heap: opts.heap, pagecache: '2g' });
  uri = local.uri;
}
// One key drives the whole load: the default per-key limit (6,000 a minute) would answer most of it with 429.
const config = loadConfig({
  RATE_LIMIT_PER_MINUTE: '100000000',
  ...process.env,
  NEO4J_URI: uri,
  LOG_LEVEL: opts['log-level'],
  DEMO_DATA: 'false',
  NODE_ENV: 'production',
});
const db = new Db({ uri, user: config.NEO4J_USER, password: local?.password ?? config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE });
const workDir = mkdtempSync(path.join(tmpdir(), 'ns-bench-aff-req-'));
let server: Server | undefined;
try {
  await applySchema(db);
  const [existing] = await db.read<{ users: number }>('affinity/count-users');
  if ((existing?.users ?? 0) > 0) throw new Error(`the graph at ${uri} already has ${existing!.users} users; use an empty one`);
  console.log(`${users} users × ~${gen.interestsPerUser} interests, ${gen.communities}×${gen.topicsPerCommunity} planted topics`);
  const refs = await loadPlantedUsers(db, gen);

  const services = createServices({ config, db, logger: serviceLogger(config.LOG_LEVEL), secretKey: 'bench-secret-key-0123456789' });
  await services.start();
  process.stdout.write('  segmentation run... ');
  // The run worker hosted in this process, before the server listens (so the run is not part of what is measured).
  const { id } = await services.segmentation.queue.enqueue({});
  await new RunWorker(services, { pollMs: 1_000 }).runOnce();
  const run = await services.segmentation.queue.getRun(id);
  if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`);
  await services.segmentation.visible.refresh();
  const metrics = run.metrics as { segments: number; durationMs: number };
  console.log(`${metrics.segments} segments, run ${metrics.durationMs} ms (no per-person work: affinities are computed on read)`);

  const app = createApp(services);
  const listening = await listen(app);
  server = listening.server;
  const base = listening.baseUrl;
  const key = (await services.apiKeys.create('bench content', 'content')).key;

  // Random users, drawn once with a seed; each request takes the next one (the worker cannot see this process).
  const rand = mulberry32(Number(opts.seed) + 7);
  const sample = Array.from({ length: 50_000 }, () => encodeURIComponent(refs[Math.floor(rand() * refs.length)]!));
  const setupFile = path.join(workDir, 'setup-request.cjs');
  writeFileSync(
    setupFile,
    `const refs = ${JSON.stringify(sample)};\nlet i = 0;\n` +
      `module.exports = (req) => { req.path = '/v1/users/' + refs[i++ % refs.length] + '/affinities'; return req; };\n`,
  );

  const probe = await fetch(`${base}/v1/users/${sample[0]}/affinities`, { headers: { authorization: `Bearer ${key}` } });
  if (probe.status !== 200) throw new Error(`GET affinities answered ${probe.status}: ${await probe.text()}`);
  const warmStarted = Date.now();
  await services.affinity.sync.warm();
  console.log(`  ${services.affinity.sync.store.size} people held in memory after ${Date.now() - warmStarted} ms`);
  // The run has just written every user's affinities: let Neo4j's background work after that (GC, flushing) settle
  // first, because on two shared cores it would otherwise land inside the measurement (its CPU is reported per run).
  await settle(local?.process.pid);

  // Warm up (JIT, connection pools), then measure.
  await cannon('warm-up', base, key, setupFile, { duration: 5 });
  const loadAvg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const heap = process.memoryUsage();
  console.log(
    `  load average before measuring: ${loadAvg()}; server heap ${Math.round(heap.heapUsed / 2 ** 20)} MB used of ${Math.round(heap.heapTotal / 2 ** 20)} MB, ${Math.round(heap.external / 2 ** 20)} MB outside (Buffers)`,
  );
  const paths = sample.map((ref) => `/v1/users/${ref}/affinities`);
  // The fixed-rate tail moves a lot between identical runs on this shared machine, so it is measured several times.
  const fixed: Figures[] = [];
  for (let i = 1; i <= Number(opts.repeat); i++) fixed.push(await constantRate(`fixed ${opts.rate} req/s #${i}`, base, key, paths));
  const max = await cpuProfiled('max-throughput', () => cannon('max throughput', base, key, setupFile, {}));
  // The same app without its hot read path: every request through Express, as before the hot path existed.
  const expressOnly = await listen(createApp(services, { hotPath: false }));
  const maxExpress = await cannon('max throughput, Express only (HOT_PATH=false)', expressOnly.baseUrl, key, setupFile, {});
  await closeNow(expressOnly.server);
  const floor = await cpuProfiled('floor', bareHttpFloor);
  // Baseline: the same stack (helmet, logging, metrics, rate limit, session, auth) answering GET /healthz, no data.
  const baseline = await constantRate(`baseline GET /healthz, fixed ${opts.rate} req/s`, base, key, ['/healthz']);

  console.log(
    `\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}`,
  );
  console.log(`Command: npx tsx scripts/bench-affinity.ts ${process.argv.slice(2).join(' ')}`.trim());
  console.log(`Load average after: ${loadAvg()} (the machine is shared; other work running at the same time shows here)`);
  console.log(`Data: ${users} users, ${metrics.segments} coarse segments; ${opts.connections} connections, ${opts.duration} s per run\n`);
  console.log('| run | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of [...fixed, max, maxExpress, baseline, floor]) {
    console.log(`| ${f.label} | ${f.requests} | ${f.rps} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.max} | ${f.non2xx} | ${f.errors} |`);
  }
  const twoXx = (f: Figures) => (f.requests - f.non2xx - f.errors) / Number(opts.duration);
  console.log(
    `\nMax throughput of 2xx answers: ${Math.round(twoXx(max))} req/s, ${(twoXx(max) / twoXx(floor)).toFixed(2)}× the bare node:http floor (${Math.round(twoXx(floor))} req/s) measured just after it;` +
      ` through Express alone ${Math.round(twoXx(maxExpress))} req/s, ${(twoXx(maxExpress) / twoXx(floor)).toFixed(2)}× the floor`,
  );
  console.log('\nClosed-model runs, CPU µs per answer (the process has two busy threads; the machine two cores):');
  console.log('| run | server thread | rest of the process (load generator, GC helpers) |');
  console.log('|---|---:|---:|');
  for (const f of [max, maxExpress, floor]) console.log(`| ${f.label} | ${f.cpuPerAnswer!.server} | ${f.cpuPerAnswer!.rest} |`);
  console.log('\nFixed-rate runs, inside the server process and beside it:');
  console.log(
    '| run | server event-loop delay p99 / max ms | longest GC pause ms | GC total ms | server CPU % of a core | Neo4j CPU % of a core | load generator event-loop delay max ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const f of [...fixed, baseline]) {
    const d = f.diag!;
    console.log(
      `| ${f.label} | ${d.loopDelayP99} / ${d.loopDelayMax} | ${d.gcMaxMs} | ${d.gcTotalMs} | ${d.serverCpu} | ${d.neo4jCpu} | ${f.generatorLoopMax} |`,
    );
  }
  await services.shutdown();
} finally {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await db.close();
  await local?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
}
