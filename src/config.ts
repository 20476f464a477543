import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Which proxies may tell the client's address (X-Forwarded-For), as Express's `trust proxy`: `false` (none, the
 * default), a number of hops, or a comma-separated list of addresses, CIDR ranges and the names loopback, linklocal,
 * uniquelocal. `true` (trust anyone) is refused: any client could then choose its rate-limit address.
 */
const trustProxy = z.string().transform((v, ctx): false | number | string => {
  const value = v.trim();
  if (value === 'false' || value === 'none') return false;
  if (/^[0-9]{1,2}$/.test(value)) return Number(value);
  const names = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const bad = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => {
      if (names.has(t)) return false;
      const [addr, bits, ...more] = t.split('/');
      if (more.length || !addr || !isIP(addr)) return true;
      return bits !== undefined && !(/^[0-9]{1,3}$/.test(bits) || isIP(bits));
    });
  if (value === 'true' || bad.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must be false, a hop count, or addresses/CIDRs/loopback/linklocal/uniquelocal (not ${value === 'true' ? 'true' : bad.join(', ')})`,
    });
    return z.NEVER;
  }
  return value;
});

/** A duration in milliseconds: a whole number from 1 ms to a day. */
const ms = z.coerce.number().int().min(1).max(86_400_000);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // When NEO4J_URI is unset, `npm start` launches the embedded Neo4j from scripts/neo4j.
  NEO4J_URI: z
    .string()
    .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\//, 'must be a bolt:// or neo4j:// URI')
    .optional(),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  NEO4J_DATABASE: z.string().optional(),
  NEO4J_DATA_DIR: z.string().default('.data/neo4j'),
  NEO4J_PORT: z.coerce.number().int().min(1).max(65535).default(7687),
  // Deadlines of calls into Neo4j (src/db/neo4j.ts): each is the transaction's server-side timeout and a client-side bound.
  NEO4J_QUERY_TIMEOUT_MS: ms.default(5_000),
  NEO4J_BATCH_TIMEOUT_MS: ms.default(120_000),
  NEO4J_STREAM_TIMEOUT_MS: ms.default(1_800_000),
  // Embedded Neo4j only: its JVM's garbage collector and any further JVM flags (docs/benchmarks.md compares the GCs).
  NEO4J_GC: z.enum(['parallel', 'g1']).default('parallel'),
  NEO4J_JAVA_OPTS: z.string().optional(),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  // Keys the HMAC used for email hashes (identity stitching) and signs session cookies.
  SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  BODY_LIMIT: z.string().default('20mb'),
  // Whole-request deadlines (answered 503 database-unavailable when they pass) and the HTTP server's own timeouts.
  REQUEST_TIMEOUT_MS: ms.default(10_000),
  BULK_REQUEST_TIMEOUT_MS: ms.default(600_000),
  HTTP_HEADERS_TIMEOUT_MS: ms.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: ms.default(120_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: ms.default(5_000),
  // Ingestion: interest edges (or records) per write transaction; larger batches amortize commits.
  INGEST_BATCH_EDGES: z.coerce.number().int().min(1).max(200_000).default(25_000),
  INGEST_BATCH_RECORDS: z.coerce.number().int().min(1).max(50_000).default(5_000),
  // 100 requests a second on average per API key, person or address: about 4% of what one 2-core instance serves
  // (docs/benchmarks.md: 2,400-2,900 req/s), so no single client can starve the others. Benchmarks raise it.
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6_000),
  TRUST_PROXY: trustProxy.default(false),
  // The hot read path (src/api/hot-path.ts): a segment of one answered before Express when it is the simple common case,
  // the same answer either way. `false` sends every request through Express (tests compare the two).
  HOT_PATH: bool.default(true),
  // Segment-of-one documents kept between reads (src/affinity/doc-cache.ts), in MB of JSON; 0 keeps none.
  AFFINITY_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(256),
  SEGMENTATION_ENGINE: z.enum(['graphology', 'gds']).default('graphology'),
  // Where segmentation runs execute (never on the API's request loop): `embedded` = a worker process the API process
  // spawns and supervises; `external` = only `npm run worker` processes elsewhere claim queued runs.
  WORKER: z.enum(['embedded', 'external']).default('embedded'),
  // How often an idle worker looks for a queued run (a nudge from its parent API process wakes it at once).
  WORKER_POLL_MS: z.coerce.number().int().min(50).max(1000).default(500),
  // Set by the supervising API process for its child, so it can fail the child's runs the moment the child dies.
  WORKER_INSTANCE_ID: z.string().max(100).optional(),
  // Background jobs (saved-audience evaluation, webhook deliveries): whether this process competes for their leases,
  // and how long a lease lasts unrenewed (how soon another process takes over from a dead one).
  BACKGROUND_JOBS: bool.default(true),
  JOB_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  // Webhook destinations of saved audiences (docs/audiences.md).
  WEBHOOK_TIMEOUT_MS: ms.default(10_000),
  WEBHOOK_BATCH_EVENTS: z.coerce.number().int().min(1).max(1000).default(500),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(20),
  WEBHOOK_RETRY_BASE_MS: ms.default(1_000),
  WEBHOOK_RETRY_MAX_MS: ms.default(3_600_000),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  // How often each API process re-reads the refresh policy and checks the drift trigger (src/refresh/).
  REFRESH_CHECK_MS: z.coerce.number().int().min(200).max(600_000).default(10_000),
  // Reports (PDF, PNG charts) are printed by headless Chromium over the dashboard's report view: Debian's package by
  // default. Renders run at most REPORT_RENDER_CONCURRENCY at a time with REPORT_RENDER_QUEUE waiting (429 beyond),
  // each within REPORT_RENDER_TIMEOUT_MS (503 past it).
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  REPORT_RENDER_CONCURRENCY: z.coerce.number().int().min(1).max(4).default(2),
  REPORT_RENDER_QUEUE: z.coerce.number().int().min(0).max(16).default(2),
  REPORT_RENDER_TIMEOUT_MS: ms.default(30_000),
  DEMO_DATA: bool.default(true),
  FACEBOOK_APP_ID: z.string().optional(),
  FACEBOOK_APP_SECRET: z.string().optional(),
  FACEBOOK_CALLBACK_URL: z.url().optional(),
  FACEBOOK_AUTH_URL: z.url().default('https://www.facebook.com/v19.0/dialog/oauth'),
  FACEBOOK_TOKEN_URL: z.url().default('https://graph.facebook.com/v19.0/oauth/access_token'),
  FACEBOOK_GRAPH_URL: z.url().default('https://graph.facebook.com/v19.0'),
});

/** Settings that only work together; checked beside the schema so their problems are listed with all others. */
const PAIRS = [['FACEBOOK_APP_ID', 'FACEBOOK_APP_SECRET']] as const;

/** Node refuses a headers timeout longer than the request timeout (the headers are part of the request). */
function crossChecks(c: z.infer<typeof schema>): string[] {
  return c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS ? ['HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS'] : [];
}

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the whole environment at once so that every problem is reported together, not one per restart. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (as docker-compose passes for unset `${X:-}`) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Half a Facebook app would silently leave login switched off; say so at start instead.
  for (const pair of PAIRS) {
    for (const [set, other] of [pair, [pair[1], pair[0]]]) {
      if (present[set] && !present[other]) problems.push(`${other}: required when ${set} is set`);
    }
  }
  if (result.success) problems.push(...crossChecks(result.data));
  if (!result.success || problems.length) throw new ConfigError(problems);
  return result.data;
}

/** For process entry points (the API, the run worker): the configuration, or every problem on stderr and exit 1. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
