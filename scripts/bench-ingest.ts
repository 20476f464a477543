/**
 * `npx tsx scripts/bench-ingest.ts [--users 100000] [--interests 25] [--topics 5000] [--body 2000] [--clients 3] [--gc parallel|g1]`
 *
 * Interest edges per second through the HTTP API (POST /v1/imports/profiles, NDJSON). Starts a throwaway Neo4j
 * (unless NEO4J_URI is set) and the app in-process, generates the profiles deterministically (seeded PRNG,
 * Zipf-like topic popularity) before the clock starts, then posts the bodies from several concurrent clients.
 * `--again` re-imports the same data afterwards (the idempotent path: every edge exists already).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { javaOptionsFrom, startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { createApp } from '../src/app.js';
import { listen } from '../src/api/listen.js';
import { mulberry32 } from '../src/segmentation/random.js';
import { zipfPicker } from './lib/zipf.js';
import { cpuSeconds } from './lib/proc.js';
import { postImportBodies } from './lib/import-clients.js';

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    interests: { type: 'string', default: '25' },
    topics: { type: 'string', default: '5000' },
    body: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    again: { type: 'boolean', default: false },
    gc: { type: 'string', default: 'parallel' },
  },
});
const USERS = Number(opts.users);
const PER_USER = Number(opts.interests);
const TOPICS = Number(opts.topics);
const BODY = Number(opts.body);
const CLIENTS = Number(opts.clients);

function generateBodies(prefix: string): string[] {
  const rand = mulberry32(Number(opts.seed));
  const categories = ['Sport', 'Music', 'Food', 'Travel', 'Tech', 'Fashion', 'Books', 'Games', 'Outdoors', 'Art'];
  const topics = Array.from({ length: TOPICS }, (_, i) => ({ topic: `Topic ${i}`, category: categories[i % categories.length]! }));
  // Zipf-like popularity: a few topics are very common, most are rare (as real interests are).
  const pick = zipfPicker(TOPICS, 0.8, rand);
  const bodies: string[] = [];
  let lines: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(PER_USER, TOPICS)) chosen.add(pick());
    const day = 1 + Math.floor(rand() * 28);
    lines.push(
      JSON.stringify({
        externalId: `${prefix}${u}`,
        email: `user${u}.${prefix}@example.org`,
        interests: [...chosen].map((t) => ({
          ...topics[t]!,
          weight: 1 + Math.floor(rand() * 5),
          at: `2026-10-${String(day).padStart(2, '0')}T12:00:00Z`,
        })),
      }),
    );
    if (lines.length === BODY) {
      bodies.push(lines.join('\n'));
      lines = [];
    }
  }
  if (lines.length) bodies.push(lines.join('\n'));
  return bodies;
}

interface Pass {
  seconds: number;
  /** CPU seconds of the Neo4j server (0 with NEO4J_URI) and of this process (the app and the clients). */
  neo4jCpu: number;
  nodeCpu: number;
}

async function post(baseUrl: string, key: string, bodies: string[], label: string): Promise<Pass> {
  const total = USERS * PER_USER;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} edges | {rate} edges/s | {duration_formatted}`,
      // Also report when stdout is not a terminal (CI logs), every 10 s.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: 0 });
  const cpu0 = { neo4j: cpuSeconds(neo4jServer?.process.pid), node: process.cpuUsage() };
  const started = performance.now();
  let done = 0;
  await postImportBodies(baseUrl, key, bodies, CLIENTS, (imported) => {
    done += imported * PER_USER;
    bar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) });
  });
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  const node = process.cpuUsage(cpu0.node);
  return { seconds, neo4jCpu: cpuSeconds(neo4jServer?.process.pid) - cpu0.neo4j, nodeCpu: (node.user + node.system) / 1e6 };
}

let neo4jServer: LocalNeo4j | undefined;
let dataDir: string | undefined;
let uri = process.env.NEO4J_URI;
if (!uri) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ingest-'));
  console.error('Starting a throwaway Neo4j...');
  if (opts.gc !== 'g1' && opts.gc !== 'parallel') throw new Error('--gc must be g1 or parallel');
  neo4jServer = await startLocalNeo4j({
    dataDir,
    port: 0,
    heap: '4g',
    pagecache: '4g',
    gc: opts.gc,
    javaOptions: javaOptionsFrom(process.env.NEO4J_JAVA_OPTS),
  });
  uri = neo4jServer.uri;
}
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  NEO4J_URI: uri,
  SECRET_KEY: process.env.SECRET_KEY ?? 'bench-secret-key-0123456789',
  DEMO_DATA: 'false',
  BODY_LIMIT: '100mb',
  RATE_LIMIT_PER_MINUTE: '1000000',
});
const db = new Db({ uri, user: config.NEO4J_USER, password: neo4jServer?.password ?? config.NEO4J_PASSWORD });
await applySchema(db);
const services = createServices({ config, db, logger: createLogger('silent'), secretKey: config.SECRET_KEY! });
const app = createApp(services);
const { server, baseUrl } = await listen(app);
const key = (await services.apiKeys.create('bench-ingest', 'ingest')).key;

const prefix = `b${Date.now().toString(36)}-`;
console.error(`Generating ${USERS} users × ${PER_USER} interests over ${TOPICS} topics (seed ${opts.seed})...`);
const bodies = generateBodies(prefix);
const mb = bodies.reduce((s, b) => s + b.length, 0) / 1e6;
console.error(`${bodies.length} NDJSON bodies of ${BODY} records (${mb.toFixed(0)} MB), ${CLIENTS} concurrent clients`);

const edges = USERS * PER_USER;
const results: Array<{ pass: string } & Pass> = [];
results.push({ pass: 'first import', ...(await post(baseUrl, key, bodies, 'import ')) });
const [check] = await db.read<{ users: number; edges: number }>('graph/count-interests-by-prefix', { prefix });
if (check!.users !== USERS || check!.edges !== edges)
  throw new Error(`graph has ${JSON.stringify(check)}, expected ${USERS} users / ${edges} edges`);
if (opts.again) {
  results.push({ pass: 're-import (idempotent)', ...(await post(baseUrl, key, bodies, 'again  ')) });
  const [again] = await db.read<{ users: number; edges: number }>('graph/count-interests-by-prefix', { prefix });
  if (again!.users !== USERS || again!.edges !== edges) throw new Error(`re-import changed the graph: ${JSON.stringify(again)}`);
}

console.log(
  `\nbench-ingest: ${USERS} users × ${PER_USER} interests = ${edges} edges, ${TOPICS} topics, body ${BODY} records, ${CLIENTS} clients, ` +
    (neo4jServer ? `embedded Neo4j (GC ${opts.gc})` : `Neo4j at ${uri} (its CPU is not measured)`),
);
for (const r of results) {
  console.log(
    `  ${r.pass.padEnd(24)} ${r.seconds.toFixed(1).padStart(7)} s  ${Math.round(edges / r.seconds)
      .toLocaleString('en-US')
      .padStart(9)} edges/s  ${Math.round(USERS / r.seconds)
      .toLocaleString('en-US')
      .padStart(7)} users/s` +
      `  CPU µs/edge: Neo4j ${((r.neo4jCpu * 1e6) / edges).toFixed(1)}, Node ${((r.nodeCpu * 1e6) / edges).toFixed(1)}`,
  );
}
console.log(`  graph check: ${check!.users} users, ${check!.edges} INTERESTED_IN edges`);

await new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});
await services.shutdown();
await db.close();
await neo4jServer?.stop();
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
