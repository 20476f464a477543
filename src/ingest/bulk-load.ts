import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'node:net';
import { LOCAL_NEO4J_USER, startLocalNeo4j } from '../db/local-neo4j.js';
import { Db } from '../db/neo4j.js';
import { DatabaseInUseError, runAdminImport, storeExists, storeLocked } from '../db/neo4j-admin.js';
import { applySchema } from '../db/schema.js';
import { convertFile } from './bulk-convert.js';
import { bulkImportArgs } from './bulk-csv.js';
import { scanFile } from './bulk-read.js';
import type { ImportFormat, Rejected } from './parse.js';

/**
 * Initial bulk load (`npm run import -- --initial FILE`): an empty graph in the embedded Neo4j's data directory is
 * filled by `neo4j-admin database import full` instead of transactions. The file is validated and normalized exactly
 * as the online import does (src/ingest: schemas, topic keys, email stitching with SECRET_KEY, CRM and purchase
 * signals, consent), converted into the tool's CSV files by worker threads (bulk-read → bulk-convert → bulk-plan →
 * bulk-csv), imported with the database
 * stopped, then the embedded server is started once on it to build the schema (cypher/schema) and count the result.
 */

/** The load was not started: the message says why and what to do instead. */
export class BulkLoadRefused extends Error {}

export interface GraphCounts {
  users: number;
  identities: number;
  topics: number;
  events: number;
  apiKeys: number;
  interests: number;
  purchases: number;
}

export interface BulkProgress {
  phase(label: string, total: number): void;
  update(done: number): void;
  done(): void;
  /** Lines of neo4j-admin's own output. */
  log(line: string): void;
}

export interface BulkLoadOptions {
  file: string;
  format: ImportFormat;
  /** The embedded Neo4j's data directory (NEO4J_DATA_DIR). */
  dataDir: string;
  secretKey: string;
  /** NEO4J_URI: set means the service uses a database elsewhere, which this cannot load. */
  neo4jUri: string | undefined;
  /** NEO4J_PORT: `npm start` uses a Neo4j already answering there instead of its data directory. */
  neo4jPort: number;
  /** The embedded server's password (`npm start`'s: NEO4J_PASSWORD or .data/neo4j-password), set on a new store. */
  neo4jPassword: string;
  /** Conversion threads (default: one a core). */
  threads?: number;
  /** Where the CSV files go (default: a temporary folder, removed afterwards). */
  workDir?: string;
  keepCsv?: boolean;
  progress: BulkProgress;
}

export interface BulkLoadResult {
  records: number;
  rejected: Rejected[];
  counts: GraphCounts;
  seconds: BulkPhases;
  /** CPU seconds of each phase: this process's threads, and neo4j-admin's and the embedded server's JVMs. */
  cpu: BulkPhases;
  /** Wall seconds of the first start's steps (the `schema` phase). */
  firstStart: { start: number; schema: number; count: number; stop: number };
}

export interface BulkPhases {
  scan: number;
  convert: number;
  import: number;
  schema: number;
}

/**
 * CPU seconds used so far by this process (all threads) and by the child processes it has waited for (Linux:
 * cutime + cstime of /proc/self/stat, in clock ticks of 1/100 s); elsewhere children count as 0.
 */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): cutime and cstime are fields 16 and 17.
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // no /proc
  }
  return (own.user + own.system) / 1e6 + children;
}

async function countGraph(db: Db): Promise<GraphCounts> {
  const [row] = await db.read<GraphCounts & Record<string, unknown>>('ingest/count-graph');
  return row!;
}

/** Starts the embedded server on `dataDir` for `work`, then stops it. */
async function withEmbedded<T>(dataDir: string, password: string, work: (db: Db) => Promise<T>): Promise<T> {
  const server = await startLocalNeo4j({ dataDir, port: 0, password });
  const db = new Db({ uri: server.uri, user: LOCAL_NEO4J_USER, password, timeouts: { queryMs: 600_000, batchMs: 3_600_000 } });
  try {
    return await work(db);
  } finally {
    await db.close();
    await server.stop();
  }
}

/** True when something accepts connections on the local port (a Neo4j `npm start` would use, whatever its password). */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1500);
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

const RUNNING =
  'stop it first (Ctrl-C or SIGTERM the `npm start` or `npm run neo4j` using it), run the bulk load, then start the service again';

/** Refuses when the load would not land where `npm start` reads, or would replace data. */
async function checkTarget(o: BulkLoadOptions): Promise<void> {
  if (o.neo4jUri) {
    throw new BulkLoadRefused(
      `NEO4J_URI is set (${o.neo4jUri}): the bulk load writes the store files of the embedded Neo4j's data directory and ` +
        'cannot load a database the service reaches over the network. Use the online import there (`npm run import -- FILE`), ' +
        `or unset NEO4J_URI to load into NEO4J_DATA_DIR (${o.dataDir}).`,
    );
  }
  if (storeLocked(o.dataDir)) throw new BulkLoadRefused(`A Neo4j is running on ${o.dataDir}: ${RUNNING}.`);
  if (await portOpen(o.neo4jPort)) {
    throw new BulkLoadRefused(
      `A Neo4j answers on bolt://127.0.0.1:${o.neo4jPort} (NEO4J_PORT), and \`npm start\` would use it instead of ${o.dataDir}: ${RUNNING}.`,
    );
  }
  if (!storeExists(o.dataDir)) return;
  const counts = await withEmbedded(o.dataDir, o.neo4jPassword, countGraph).catch((err: unknown) => {
    throw new BulkLoadRefused(`Could not open the database in ${o.dataDir} to check that it is empty: ${(err as Error).message}`);
  });
  const found = Object.entries(counts).filter(([, n]) => n > 0);
  if (found.length) {
    throw new BulkLoadRefused(
      `The graph in ${o.dataDir} is not empty (${found.map(([k, n]) => `${n} ${k}`).join(', ')}): the bulk load only fills an empty ` +
        'database. Use the online import (`npm start`, then `npm run import -- FILE`), or move the data directory away to start afresh.',
    );
  }
}

export async function bulkLoad(o: BulkLoadOptions): Promise<BulkLoadResult> {
  await checkTarget(o);
  const bytes = statSync(o.file).size;
  const seconds = { scan: 0, convert: 0, import: 0, schema: 0 };
  const cpu = { ...seconds };
  /** Wall and CPU seconds since the call (CPU: every thread of this process and the children it waited for). */
  const clock = () => {
    const t0 = performance.now();
    const c0 = cpuSeconds();
    return (): [number, number] => [(performance.now() - t0) / 1000, cpuSeconds() - c0];
  };

  let t = clock();
  let read = 0;
  o.progress.phase('scan', bytes);
  const scan = await scanFile(o.file, o.format, (n) => o.progress.update((read += n)));
  o.progress.done();
  [seconds.scan, cpu.scan] = t();

  const workDir = o.workDir
    ? (mkdirSync(o.workDir, { recursive: true }), mkdtempSync(path.join(o.workDir, 'bulk-')))
    : mkdtempSync(path.join(tmpdir(), 'bulk-load-'));
  try {
    t = clock();
    read = 0;
    o.progress.phase('convert', bytes);
    const { records, rejected, multiline } = await convertFile({
      file: o.file,
      format: o.format,
      scan,
      dir: workDir,
      secretKey: o.secretKey,
      now: new Date().toISOString(),
      threads: o.threads,
      onBytes: (n) => o.progress.update((read += n)),
    });
    o.progress.done();
    [seconds.convert, cpu.convert] = t();
    rejected.sort((a, b) => a.line - b.line);
    if (records === 0) throw new BulkLoadRefused(`${o.file} holds no valid profile record: nothing was loaded.`);

    t = clock();
    try {
      await runAdminImport({
        dataDir: o.dataDir,
        args: [...bulkImportArgs(workDir), ...(multiline ? ['--multiline-fields=true'] : [])],
        log: o.progress.log,
      });
    } catch (err) {
      if (err instanceof DatabaseInUseError) throw new BulkLoadRefused(`A Neo4j is running on ${o.dataDir}: ${RUNNING}.`);
      throw err;
    }
    [seconds.import, cpu.import] = t();

    t = clock();
    // Where the first start's time goes: the JVM start, index and constraint population, counting, the stop.
    const split = { start: 0, schema: 0, count: 0, stop: 0 };
    let lap = performance.now();
    const mark = (k: keyof typeof split) => {
      split[k] = (performance.now() - lap) / 1000;
      lap = performance.now();
    };
    const counts = await withEmbedded(o.dataDir, o.neo4jPassword, async (db) => {
      mark('start');
      await applySchema(db);
      mark('schema');
      const c = await countGraph(db);
      mark('count');
      return c;
    });
    mark('stop');
    [seconds.schema, cpu.schema] = t();
    return { records, rejected, counts, seconds, cpu, firstStart: split };
  } finally {
    if (!o.keepCsv) rmSync(workDir, { recursive: true, force: true });
  }
}
