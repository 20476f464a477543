import type { RequestHandler } from 'express';
import { performance } from 'node:perf_hooks';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Answers the hot read path gave itself, before Express (src/api/hot-path.ts), by route template. */
  hotAnswers: Counter<'route'>;
  /** Counts one answered request in both HTTP metrics; `startedMs` is its performance.now() on arrival. */
  record(method: string, route: string, status: number, startedMs: number): void;
  /** `record` for one label set, its metric children looked up once (the hot read path's answers). */
  recorder(method: string, route: string, status: number): (startedMs: number) => void;
  middleware: RequestHandler;
}

interface Children {
  duration: { observe(value: number): void };
  requests: { inc(): void };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const hotAnswers = new Counter({
    name: 'http_hot_path_answers_total',
    help: 'Requests answered by the hot read path before Express (also counted in http_requests_total)',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  // prom-client hashes a label object on every observation; route templates are few, so each label set's children are
  // looked up once and kept (up to a bound: a request refused before routing is labelled with its raw path).
  const children = new Map<string, Children>();
  const childrenOf = (method: string, route: string, status: number): Children => {
    const key = `${method} ${status} ${route}`;
    let c = children.get(key);
    if (!c) {
      const labels = { method, route, status: String(status) };
      c = { duration: httpDuration.labels(labels), requests: httpRequests.labels(labels) };
      if (children.size < 1000) children.set(key, c);
    }
    return c;
  };
  const observe = (c: Children, startedMs: number) => {
    c.duration.observe((performance.now() - startedMs) / 1000);
    c.requests.inc();
  };
  const record = (method: string, route: string, status: number, startedMs: number) =>
    observe(childrenOf(method, route, status), startedMs);
  const recorder = (method: string, route: string, status: number) => {
    const c = childrenOf(method, route, status);
    return (startedMs: number) => observe(c, startedMs);
  };
  const middleware: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      // The route template (not the raw path) keeps label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path);
      record(req.method, route, res.statusCode, started);
    });
    next();
  };
  return { registry, httpDuration, httpRequests, hotAnswers, record, recorder, middleware };
}
