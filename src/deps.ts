import type { Config } from './config.js';
import type { Db } from './db/neo4j.js';
import type { Logger } from './logger.js';

/** What every feature is built from (resolved by main.ts, the worker process or the test harness). */
export interface Deps {
  config: Config;
  db: Db;
  logger: Logger;
  /** HMAC key for email hashes and session cookies. */
  secretKey: string;
}
