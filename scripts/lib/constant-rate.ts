/**
 * Open-model load at a constant rate, in its own process (wrk2's method): request i is due at start + i/rate and
 * its latency is measured from that due time, so a stalled server is charged for every request it delayed
 * (coordinated omission) without inventing samples. autocannon's `overallRate` is not used for fixed-rate figures
 * because it sends each second's quota in a burst at the start of the second and then waits.
 *
 * Run: node --import tsx scripts/lib/constant-rate.ts OPTIONS.json  → prints one JSON line of figures.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface ConstantRateOptions {
  url: string;
  rate: number;
  durationS: number;
  headers: Record<string, string>;
  /** Request paths, used in turn. */
  paths: string[];
  /** Upper bound on open connections (requests beyond it wait for a free socket, and that wait counts). */
  maxSockets: number;
  /** When set, `timeline` gives the figures of each stretch of this many ms, by due time. */
  bucketMs?: number;
}

/** The requests due within one stretch of the window (`atMs` from its start). */
export interface TimelineBucket {
  atMs: number;
  requests: number;
  p99: number;
  max: number;
}

export interface ConstantRateFigures {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** This process's own event-loop delay (max, ms): a stall here would be charged to the server. */
  generatorLoopMax: number;
  timeline?: TimelineBucket[];
  /** Wall-clock time (epoch ms) the first request was due, to line the timeline up with other samples. */
  startedAt: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runConstantRate(o: ConstantRateOptions): Promise<ConstantRateFigures> {
  const target = new URL(o.url);
  // FIFO keeps every open connection in use, so none sits idle until the server's keep-alive timeout closes it
  // under a request about to be sent (a reset that would count as an error of the server).
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets, scheduling: 'fifo', timeout: 4000 });
  const total = Math.round(o.rate * o.durationS);
  const latencies = new Float64Array(total);
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  const startedAt = Date.now();
  const interval = 1000 / o.rate;

  await new Promise<void>((resolve) => {
    const finish = (i: number, ok: boolean, status: number) => {
      latencies[i] = performance.now() - (start + i * interval);
      if (!ok) errors++;
      else if (status < 200 || status > 299) non2xx++;
      if (++done === total) resolve();
    };
    const send = (i: number) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: o.paths[i % o.paths.length], method: 'GET', headers: o.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => finish(i, true, res.statusCode ?? 0));
          res.on('error', () => finish(i, false, 0));
        },
      );
      req.on('error', () => finish(i, false, 0));
      req.end();
    };
    // A 1 ms timer is the finest Node offers; each tick sends every request that has come due since the last one.
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  loop.disable();
  const sorted = latencies.slice().sort();
  const round = (v: number) => Math.round(v * 10) / 10;
  const timeline = o.bucketMs ? buckets(latencies, interval, o.bucketMs, round) : undefined;
  return {
    requests: total,
    rps: Math.round(total / elapsed),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    non2xx,
    errors,
    generatorLoopMax: Math.round(loop.max / 1e5) / 10,
    ...(timeline ? { timeline } : {}),
    startedAt,
  };
}

/** Latencies (indexed by request, request i due at i × interval) cut into stretches of `bucketMs` by due time. */
function buckets(latencies: Float64Array, interval: number, bucketMs: number, round: (v: number) => number): TimelineBucket[] {
  const perBucket = Math.max(1, Math.round(bucketMs / interval));
  const out: TimelineBucket[] = [];
  for (let from = 0; from < latencies.length; from += perBucket) {
    const part = latencies.slice(from, from + perBucket).sort();
    out.push({
      atMs: Math.round(from * interval),
      requests: part.length,
      p99: round(percentile(part, 99)),
      max: round(part[part.length - 1] ?? 0),
    });
  }
  return out;
}

const THIS_FILE = fileURLToPath(import.meta.url);

/** Runs the load from a separate process (its own event loop and GC), so the generator never stalls the server. */
export async function runConstantRateProcess(o: ConstantRateOptions): Promise<ConstantRateFigures> {
  // The options (thousands of paths) go through a file: one argv string is limited to 128 KiB on Linux.
  const dir = mkdtempSync(path.join(tmpdir(), 'ns-constant-rate-'));
  try {
    const file = path.join(dir, 'options.json');
    writeFileSync(file, JSON.stringify(o));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', THIS_FILE, file], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as ConstantRateFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === THIS_FILE && process.argv[2]) {
  const figures = await runConstantRate(JSON.parse(readFileSync(process.argv[2], 'utf8')) as ConstantRateOptions);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
