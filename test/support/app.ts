import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { Db, timeoutsFrom } from '../../src/db/neo4j.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { createApp } from '../../src/app.js';
import type { Role } from '../../src/auth/principal.js';
import { applySchema } from '../../src/db/schema.js';
import { listen, serverTimeoutsFrom } from '../../src/api/listen.js';
import { startTestWorker, type TestWorker, type TestWorkerMode } from './worker.js';

export interface TestApp {
  baseUrl: string;
  services: Services;
  db: Db;
  /** The environment the app's configuration was read from (a worker started for it gets the same). */
  env: Record<string, string>;
  /** The run worker this app started (`opts.worker`); it executes runs queued through any app of the file. */
  worker?: TestWorker;
  /** An admin key made for this app instance. */
  adminKey: string;
  keyFor(role: Role): Promise<string>;
  /** fetch() against the app with an optional API key; JSON bodies are encoded for you. */
  call(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real app on a loopback port, over the real Neo4j started by test/global-setup.ts. A test with its own Neo4j
 * passes its NEO4J_URI and NEO4J_PASSWORD. Segmentation runs need a worker: the file's main app starts one with
 * `opts.worker` (other apps of the file share it); files without runs start none.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  opts: { applySchema?: boolean; logger?: Logger; worker?: TestWorkerMode } = {},
): Promise<TestApp> {
  const uri = env.NEO4J_URI ?? inject('neo4jUri');
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    NEO4J_URI: uri,
    NEO4J_PASSWORD: env.NEO4J_PASSWORD ?? inject('neo4jPassword'),
    SECRET_KEY: 'test-secret-key-0123456789',
    DEMO_DATA: 'false',
    // Tests judge behaviour, not speed: on a machine shared by several suites a plain write can take seconds, so the
    // deadlines are generous unless a test sets its own (test/readiness.int.test.ts does).
    NEO4J_QUERY_TIMEOUT_MS: '30000',
    REQUEST_TIMEOUT_MS: '60000',
    // Background jobs (saved audiences, webhooks) only where a test watches them (test/support/audiences.ts JOB_ENV):
    // elsewhere they would add work on a shared or cold database for nothing.
    BACKGROUND_JOBS: 'false',
    ...env,
  };
  const config: Config = loadConfig(fullEnv);
  const db = new Db({ uri, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD, timeouts: timeoutsFrom(config) });
  // The shared database gets its schema in global-setup; a test's own database needs it here.
  if (opts.applySchema) await applySchema(db);
  const services = createServices({ config, db, logger: opts.logger ?? createLogger('silent'), secretKey: config.SECRET_KEY! });
  await services.start();
  const app = createApp(services);
  const { server, baseUrl } = await listen(app, 0, '127.0.0.1', serverTimeoutsFrom(config));
  const adminKey = (await services.apiKeys.create('test admin', 'admin')).key;
  const keys = new Map<Role, string>([['admin', adminKey]]);
  const worker = opts.worker ? await startTestWorker(opts.worker, { services, env: fullEnv }, opts.logger) : undefined;

  return {
    baseUrl,
    services,
    db,
    env: fullEnv,
    ...(worker ? { worker } : {}),
    adminKey,
    async keyFor(role) {
      let k = keys.get(role);
      if (!k) {
        k = (await services.apiKeys.create(`test ${role}`, role)).key;
        keys.set(role, k);
      }
      return k;
    },
    call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(baseUrl + path, { method, headers, body });
    },
    async close() {
      await worker?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.shutdown();
      await db.close();
    },
  };
}

/**
 * The file's app on the shared database and a key of one role: started before its tests, closed after them. `use`
 * hands both over (the file keeps its own `t` and `key`).
 */
export function useTestApp(role: Role, use: (t: TestApp, key: string) => void): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp();
    use(app, await app.keyFor(role));
  });
  afterAll(async () => {
    await app?.close();
  });
}
