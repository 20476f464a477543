/**
 * `npx tsx scripts/bench-request-deadline.ts [--requests 1000000]`
 *
 * CPU the per-request deadline (src/api/deadline.ts: one timer and two listeners per request) costs, measured on the
 * middleware alone with stand-in responses, so the figure does not depend on how busy the machine's other cores are
 * (latency runs on a shared machine cannot resolve a microsecond; scripts/bench-http-floor.ts has the latency view).
 */
import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import type { Request, Response } from 'express';
import { requestDeadline } from '../src/api/deadline.js';
import { createLogger } from '../src/logger.js';

const { values: opts } = parseArgs({ options: { requests: { type: 'string', default: '1000000' } } });
const n = Number(opts.requests);
const middleware = requestDeadline(10_000, createLogger('silent'));
const req = { method: 'GET', path: '/x' } as Request;

/** CPU nanoseconds per request: a response's life (finish, close) with or without the deadline. */
function cpuPerRequest(count: number, withDeadline: boolean): number {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const res = Object.assign(new EventEmitter(), { headersSent: false }) as unknown as Response;
    if (withDeadline) middleware(req, res, () => undefined);
    res.emit('finish');
    res.emit('close');
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / count;
}

cpuPerRequest(n / 5, true); // warm-up
cpuPerRequest(n / 5, false);
console.log(`${n} requests per run (command: npx tsx scripts/bench-request-deadline.ts ${process.argv.slice(2).join(' ')})\n`);
console.log('| run | with deadline ns/request | without ns/request | deadline costs ns/request |');
console.log('|---|---:|---:|---:|');
for (let run = 1; run <= 3; run++) {
  const with_ = cpuPerRequest(n, true);
  const without = cpuPerRequest(n, false);
  console.log(`| ${run} | ${Math.round(with_)} | ${Math.round(without)} | ${Math.round(with_ - without)} |`);
}
