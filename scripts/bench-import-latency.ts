/**
 * `npx tsx scripts/bench-import-latency.ts [--users 50000] [--body 2000] [--clients 2] [--interval 50] [--no-hook] [--cpu-prof DIR]
 *   [--timeline MS]`
 *
 * Does an import stall the API? Imports planted profiles (scripts/generate.ts: 120 communities, ~25 interests each)
 * through POST /v1/imports/profiles in NDJSON bodies of `--body` lines from `--clients` concurrent clients, while a
 * poller asks GET /healthz every `--interval` ms. Prints the poll's p50/p99/max latency and failures, the service's
 * own event-loop delay, and how long the service spent in the `interestsChanged` hook that every import awaits.
 *
 * Three processes, so that neither the generator nor the poller shares the service's event loop: this one (data and
 * import clients), the service (`--serve`: the app as main.ts builds it, over a throwaway embedded Neo4j unless
 * NEO4J_URI is set) and the poller (`--poll`). Polls are due at fixed times (start + i × interval) and their latency
 * counts from that due time, so a stalled service is charged for every poll it held up.
 * `--no-hook` removes the service's `interestsChanged` handlers: the difference to a normal pass is the hook's share.
 * `--cpu-prof DIR` writes V8 CPU profiles of the service (one per thread) into DIR: what runs on the request loop.
 * `--timeline MS` also prints the import stretch by stretch of MS: polls due, their p99 and max, and the share of a core
 * taken by the service's event-loop thread, its other threads (import workers, GC, the driver's I/O), Neo4j and this
 * process (the import clients): whether a slow poll met a busy event loop or a starved one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { generateProfiles } from '../src/demo/planted.js';
import { postImportBodies } from './lib/import-clients.js';
import { CpuSampler } from './lib/proc.js';
import type { LocalNeo4j } from '../src/db/local-neo4j.js';
import { NICENESS } from '../src/priority.js';

const THIS_FILE = fileURLToPath(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '50000' },
    body: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '2' },
    interval: { type: 'string', default: '50' },
    communities: { type: 'string', default: '120' },
    'topics-per-community': { type: 'string', default: '100' },
    seed: { type: 'string', default: '7' },
    'no-hook': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    timeline: { type: 'string' },
    // internal modes
    serve: { type: 'string' },
    poll: { type: 'string' },
  },
});

interface ServerReport {
  loopP99: number;
  loopMax: number;
  hookMs: number;
  hookCalls: number;
  hookMaxMs: number;
}

interface PollReport {
  polls: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
  pollerLoopMax: number;
  /** Epoch ms the first poll was due. */
  startedAt: number;
  /** Each poll's latency by due order (poll i due at startedAt + i × interval), null when it failed. */
  byDue: Array<number | null>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The service as main.ts builds it (schema, services, app), reporting its event-loop delay and hook time on request. */
async function serve(neo4jUri: string): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { Db } = await import('../src/db/neo4j.js');
  const { applySchema } = await import('../src/db/schema.js');
  const { createLogger } = await import('../src/logger.js');
  const { createServices } = await import('../src/services.js');
  const { createApp } = await import('../src/app.js');
  const { listen } = await import('../src/api/listen.js');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    NEO4J_URI: neo4jUri,
    SECRET_KEY: 'bench-secret-key-0123456789',
    DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const db = new Db({ uri: neo4jUri, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD });
  await applySchema(db);
  const services = createServices({ config, db, logger: createLogger('warn'), secretKey: config.SECRET_KEY! });
  // Time spent awaiting interestsChanged (wall time: database reads and affinity work of the hook).
  const hook = { ms: 0, calls: 0, max: 0 };
  const handlers = (services.hooks as unknown as { handlers: Record<string, Array<(e: unknown) => Promise<void> | void>> }).handlers;
  const original = handlers.interestsChanged ?? [];
  handlers.interestsChanged = opts['no-hook']
    ? []
    : [
        async (e: unknown) => {
          const t0 = performance.now();
          for (const h of original) await h(e);
          const ms = performance.now() - t0;
          hook.ms += ms;
          hook.calls++;
          hook.max = Math.max(hook.max, ms);
        },
      ];
  const app = createApp(services);
  const { server, baseUrl } = await listen(app);
  const key = (await services.apiKeys.create('bench-import-latency', 'ingest')).key;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  process.on('message', async (msg: string) => {
    if (msg === 'start') {
      loop.reset();
      loop.enable();
      hook.ms = hook.calls = hook.max = 0;
    } else if (msg === 'report') {
      loop.disable();
      const report: ServerReport = {
        loopP99: round(loop.percentile(99) / 1e6),
        loopMax: round(loop.max / 1e6),
        hookMs: Math.round(hook.ms),
        hookCalls: hook.calls,
        hookMaxMs: Math.round(hook.max),
      };
      process.send!(report);
    } else if (msg === 'stop') {
      server.closeAllConnections();
      server.close();
      await services.shutdown();
      await db.close();
      process.exit(0);
    }
  });
  process.send!({ baseUrl, key });
}

/** Polls `/healthz` at fixed due times until told to stop; latency counts from each poll's due time. */
async function poll(baseUrl: string, interval: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  const byDue: Array<number | null> = [];
  let failures = 0;
  let stopping = false;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  const startedAt = performance.timeOrigin + start;
  const inflight = new Set<Promise<void>>();
  process.on('message', (msg: string) => {
    if (msg === 'stop') stopping = true;
  });
  process.send!('polling');
  for (let i = 0; !stopping; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    byDue.push(null);
    const p = new Promise<void>((resolve) => {
      const req = http.get(`${baseUrl}/healthz`, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - due;
          latencies.push(ms);
          byDue[i] = ms;
          if (res.statusCode !== 200) failures++;
          resolve();
        });
      });
      req.on('error', () => {
        failures++;
        resolve();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });
    inflight.add(p);
    void p.then(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const report: PollReport = {
    polls: latencies.length + failures,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? 0),
    failures,
    pollerLoopMax: round(loop.max / 1e6),
    startedAt,
    byDue,
  };
  process.send!(report);
  agent.destroy();
  process.exit(0);
}

function child(args: string[], profileDir?: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return fork(THIS_FILE, args, { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
}

function nextMessage<T>(proc: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before answering`));
    proc.once('exit', onExit);
    proc.once('message', (m) => {
      proc.off('exit', onExit);
      resolve(m as T);
    });
  });
}

async function main(): Promise<void> {
  const USERS = Number(opts.users);
  const BODY = Number(opts.body);
  const CLIENTS = Number(opts.clients);
  const INTERVAL = Number(opts.interval);

  let neo4j: LocalNeo4j | undefined;
  let dataDir: string | undefined;
  let uri = process.env.NEO4J_URI;
  if (!uri) {
    const { startLocalNeo4j } = await import('../src/db/local-neo4j.js');
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-import-latency-'));
    console.error('Starting a throwaway Neo4j...');
    // At the priority `npm start` gives its embedded Neo4j (src/priority.ts).
    neo4j = await startLocalNeo4j({ dataDir, port: 0, heap: '2g', pagecache: '2g', niceness: NICENESS.database });
    uri = neo4j.uri;
  }

  const prefix = `lat${Date.now().toString(36)}-`;
  console.error(`Generating ${USERS} planted profiles (${opts.communities} communities × ${opts['topics-per-community']} topics)...`);
  const bodies: string[] = [];
  let lines: string[] = [];
  for (const r of generateProfiles({
    users: USERS,
    communities: Number(opts.communities),
    topicsPerCommunity: Number(opts['topics-per-community']),
    seed: Number(opts.seed),
    prefix,
  })) {
    lines.push(JSON.stringify(r));
    if (lines.length === BODY) {
      bodies.push(lines.join('\n'));
      lines = [];
    }
  }
  if (lines.length) bodies.push(lines.join('\n'));

  const server = child(['--serve', uri, ...(opts['no-hook'] ? ['--no-hook'] : [])], opts['cpu-prof'], {
    ...process.env,
    ...(neo4j ? { NEO4J_PASSWORD: neo4j.password } : {}),
  });
  const { baseUrl, key } = await nextMessage<{ baseUrl: string; key: string }>(server);
  const poller = child(['--poll', baseUrl, '--interval', String(INTERVAL)]);
  await nextMessage<string>(poller);
  server.send('start');
  const bucketMs = opts.timeline ? Number(opts.timeline) : undefined;
  const sampler = bucketMs
    ? new CpuSampler(
        () => {
          const pid = server.pid!;
          return {
            loop: [{ pid, tid: pid }],
            service: [pid],
            neo4j: neo4j?.process.pid ? [neo4j.process.pid] : [],
            clients: [process.pid],
          };
        },
        Math.min(250, bucketMs / 2),
      )
    : undefined;

  const bar = new cliProgress.SingleBar(
    { format: 'import [{bar}] {value}/{total} bodies | {duration_formatted}', noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(bodies.length, 0);
  const started = performance.now();
  let imported = 0;
  await postImportBodies(baseUrl, key, bodies, CLIENTS, (n) => {
    imported += n;
    bar.increment();
  });
  const seconds = (performance.now() - started) / 1000;
  bar.stop();

  const polled = nextMessage<PollReport>(poller);
  poller.send('stop');
  const p = await polled;
  sampler?.stop();
  const reported = nextMessage<ServerReport>(server);
  server.send('report');
  const s = await reported;
  server.send('stop');
  await new Promise((r) => server.once('exit', r));

  console.log(
    `\nbench-import-latency: ${imported} profiles in ${bodies.length} bodies of ${BODY} lines, ${CLIENTS} clients, ` +
      `${seconds.toFixed(1)} s (${Math.round(imported / seconds)} profiles/s)${opts['no-hook'] ? ', interestsChanged hook removed' : ''}`,
  );
  console.log(
    `  GET /healthz every ${INTERVAL} ms: ${p.polls} polls, p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms, failures ${p.failures}` +
      ` (poller's own loop max ${p.pollerLoopMax} ms)`,
  );
  console.log(`  service event-loop delay: p99 ${s.loopP99} ms, max ${s.loopMax} ms`);
  console.log(`  interestsChanged hook: ${s.hookCalls} calls, ${s.hookMs} ms in total (wall), longest ${s.hookMaxMs} ms`);
  if (sampler && bucketMs) console.log(timelineTable(p, INTERVAL, bucketMs, sampler));

  await neo4j?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** The import stretch by stretch: the polls due in it and the share of a core each part used meanwhile. */
function timelineTable(p: PollReport, interval: number, bucketMs: number, sampler: CpuSampler): string {
  const lines = [
    `\nBy ${bucketMs} ms (due time from the first poll; CPU as a share of one core; loop = the service's event-loop thread,`,
    'other = its other threads):',
    '\n| at s | polls | failed | p99 ms | max ms | loop CPU | other CPU | Neo4j CPU | clients CPU |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const perBucket = Math.max(1, Math.round(bucketMs / interval));
  for (let first = 0; first < p.byDue.length; first += perBucket) {
    const polls = p.byDue.slice(first, first + perBucket);
    const ok = polls.filter((v): v is number => v !== null).sort((a, b) => a - b);
    const from = p.startedAt + first * interval;
    const cpu = sampler.usage(from, from + perBucket * interval);
    const pct = (v: number | undefined) => `${Math.round((v ?? 0) * 100)}%`;
    lines.push(
      `| ${((first * interval) / 1000).toFixed(1)} | ${polls.length} | ${polls.length - ok.length} | ${round(percentile(ok, 99))} | ` +
        `${round(ok[ok.length - 1] ?? 0)} | ${pct(cpu.loop)} | ${pct((cpu.service ?? 0) - (cpu.loop ?? 0))} | ${pct(cpu.neo4j)} | ${pct(cpu.clients)} |`,
    );
  }
  return lines.join('\n');
}

if (opts.serve) await serve(opts.serve);
else if (opts.poll) await poll(opts.poll, Number(opts.interval));
else await main();
