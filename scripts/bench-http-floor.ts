/**
 * `npx tsx scripts/bench-http-floor.ts [--rate 1000] [--duration 15]`
 *
 * What latency this machine allows before any of the service's code runs: the fixed-rate generator
 * (scripts/lib/constant-rate.ts, a separate process) against a bare Node `http` server, a bare Express app, and Express
 * with the service's request logging and security headers, each answering a small JSON body. It is the floor for the
 * fixed-rate figures of scripts/bench-affinity.ts.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { listen } from '../src/api/listen.js';
import { requestDeadline } from '../src/api/deadline.js';
import { createLogger } from '../src/logger.js';
import { runConstantRateProcess } from './lib/constant-rate.js';

const { values: opts } = parseArgs({
  options: { rate: { type: 'string', default: '1000' }, duration: { type: 'string', default: '15' } },
});
const body = { ok: true, items: [0, 1, 2, 3, 4] };

async function measure(label: string, server: http.Server, baseUrl: string): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const f = await runConstantRateProcess({
    url: baseUrl,
    rate: Number(opts.rate),
    durationS: Number(opts.duration),
    headers: {},
    paths: ['/x'],
    maxSockets: 32,
  });
  loop.disable();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  console.log(`| ${label} | ${f.rps} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.max} | ${Math.round(loop.max / 1e5) / 10} | ${f.errors} |`);
}

console.log(
  `Fixed ${opts.rate} req/s for ${opts.duration} s each (command: npx tsx scripts/bench-http-floor.ts ${process.argv.slice(2).join(' ')})\n`,
);
console.log('| server | req/s | p50 ms | p90 ms | p99 ms | max ms | server event-loop delay max ms | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
const bare = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
const port = (bare.address() as { port: number }).port;
await measure('node:http', bare, `http://127.0.0.1:${port}`);

for (const stack of ['none', 'logging', 'deadline'] as const) {
  const app = express();
  if (stack !== 'none') {
    app.use(pinoHttp({ logger: createLogger('warn') }));
    // The service's per-request deadline: one timer and two listeners per request (src/api/deadline.ts).
    if (stack === 'deadline') app.use(requestDeadline(10_000, createLogger('warn')));
    app.use(helmet());
  }
  app.get('/x', (_req, res) => void res.json(body));
  const { server, baseUrl } = await listen(app);
  const label = { none: 'express', logging: 'express + pino-http + helmet', deadline: 'express + pino-http + request deadline + helmet' };
  await measure(label[stack], server, baseUrl);
}
