import type { Config } from './config.js';
import type { Db } from './db/neo4j.js';
import type { Logger } from './logger.js';
import { Hooks } from './hooks.js';
import { ApiKeyRepository } from './auth/api-key-repository.js';
import { ApiKeyService } from './auth/api-key-service.js';

export interface Deps {
  config: Config;
  db: Db;
  logger: Logger;
  /** HMAC key for email hashes and session cookies (resolved by main.ts or the test harness). */
  secretKey: string;
}

/** The composition root: every repository and service is built once here and shared by routes and jobs. */
export function createServices(deps: Deps) {
  const hooks = new Hooks();
  const apiKeys = new ApiKeyService(new ApiKeyRepository(deps.db));
  // Long-running parts (job runners, timers) register here so SIGTERM can stop them before the driver closes.
  const closers: Array<() => Promise<void>> = [];
  const shutdown = async () => {
    for (const close of closers.reverse()) await close();
  };
  return { ...deps, hooks, closers, shutdown, apiKeys };
}

export type Services = ReturnType<typeof createServices>;
