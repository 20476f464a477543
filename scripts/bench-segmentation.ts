/**
 * `npx tsx scripts/bench-segmentation.ts [--sizes 10000,100000] [--interests 25] [--communities 50]
 *   [--topics-per-community 30] [--subgroups 1] [--noise 0.2] [--seed 1] [--weighting npmi] [--resolution 1]
 *   [--engine graphology|gds]
 *   [--heap 4g] [--pagecache 2g] [--data-dir DIR] [--load auto|bulk|unwind]`
 *
 * Planted-community data (scripts/generate.ts) → loaded straight into a throwaway Neo4j (bench-only UNWIND writes;
 * loading is not what is measured) → the real segmentation service (projection, Louvain, write-back; a run has no
 * per-person phase: affinities are computed on read) → NMI of the coarse segments against the planted
 * communities (and of the fine ones against the planted sub-communities, which are the communities unless
 * --subgroups > 1), over all planted topics: one left out of every segment counts as a singleton, and `covered` says
 * how many were segmented. Time of each phase, peak RSS of this process and of Neo4j. Each size gets its own fresh Neo4j unless NEO4J_URI is set
 * (then one size, into an empty graph).
 * `--sweep` skips Neo4j: the pure pipeline over noise × interests × weighting for the first size (NMI only). `--runs 2` (default) runs twice: the first run meets a cold Neo4j (query
 * compilation, JIT), the second is what a daily recomputation sees, and also measures stability (same data → NMI 1).
 * `--engine gds` runs the same service with SEGMENTATION_ENGINE=gds on an embedded Neo4j with Graph Data Science
 * (installed on first use): projection, similarity and Louvain/Leiden in the database.
 * `--load`: how the planted people get into the store. `bulk` writes the generator's profiles as the NDJSON the import
 * reads and loads them with the real initial bulk load (`npm run import -- --initial`: conversion threads,
 * neo4j-admin, first start with the schema) into the fresh data directory, then starts the embedded Neo4j on it;
 * `unwind` uses the bench-only UNWIND writes. `auto` (default) is bulk from 100,000 people up, where it is the faster
 * (docs/benchmarks.md, "Initial bulk load": 1M people 20.7 min against ~50 min of UNWIND writes, 100k 2.1–4.6 min
 * against ~5; below, its 1–2 min of JVM starts and import set-up cost more than small UNWIND loads), unless
 * NEO4J_URI is set (a database elsewhere cannot be bulk loaded). The bulk-loaded graph is the service's own
 * model (Identity nodes, times, sources), a superset of what the UNWIND writes create.
 * `--data-dir DIR` keeps the Neo4j store in DIR instead of a throwaway one, and a store this script already loaded with
 * the same options and size is used as it is (loading 1M people takes longer than the runs it measures); earlier
 * runs' segments stay, so the first run is then "warm".
 * Each run also reports the CPU seconds of this process and of the Neo4j started here (on a shared machine they say
 * more than wall times) and the longest the run blocked this process's event loop: the run's heartbeat cannot be
 * written meanwhile, and a run silent for STALE_MS (src/segmentation/run-heartbeat.ts) counts as abandoned.
 */
import './lib/bench-cypher.js';
import { bulkLoadPlanted } from './lib/load-planted-bulk.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { generatePassword, startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { storeExists } from '../src/db/neo4j-admin.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { loadConfig } from '../src/config.js';
import { persistentSecret } from '../src/secrets.js';
import { createLogger } from '../src/logger.js';
import { Hooks } from '../src/hooks.js';
import { createSegmentation } from '../src/segmentation/index.js';
import { RunWorker } from '../src/worker/run-worker.js';
import { topicId, topicKey } from '../src/graph/topic-key.js';
import { nmi } from '../src/segmentation/stability.js';
import { InterestCollector, type Weighting } from '../src/segmentation/projection.js';
import { DEFAULT_PARAMS, segmentInterests } from '../src/segmentation/pipeline.js';

const WEIGHTINGS: Weighting[] = ['npmi', 'cosine', 'jaccard', 'count'];
import { generateProfiles, plantedTopics, type GenerateOptions } from '../src/demo/planted.js';

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    interests: { type: 'string', default: '25' },
    communities: { type: 'string', default: '50' },
    'topics-per-community': { type: 'string', default: '30' },
    subgroups: { type: 'string', default: '1' },
    noise: { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    weighting: { type: 'string', default: 'npmi' },
    resolution: { type: 'string', default: '1' },
    heap: { type: 'string', default: '4g' },
    pagecache: { type: 'string', default: '2g' },
    runs: { type: 'string', default: '2' },
    sweep: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'graphology' },
    'data-dir': { type: 'string' },
    load: { type: 'string', default: 'auto' },
  },
});
if (opts.engine !== 'graphology' && opts.engine !== 'gds') throw new Error('--engine must be graphology or gds');
if (!['auto', 'bulk', 'unwind'].includes(opts.load)) throw new Error('--load must be auto, bulk or unwind');
if (opts.load === 'bulk' && process.env.NEO4J_URI) throw new Error('--load bulk fills a fresh embedded store: unset NEO4J_URI');
/** Bulk loading costs 1–2 min of fixed set-up; from 100k people up it beats the UNWIND writes (see the header). */
const BULK_FROM = 100_000;
const SECRET_KEY = 'bench-secret-key-0123456789';

const sizes = opts.sizes.split(',').map(Number);

/**
 * NMI against the planted truth over all planted topics, not only the segmented ones: a planted topic in no segment
 * counts as a singleton (so dropping topics costs NMI), and `covered` is how many were segmented.
 */
function plantedNmi(truth: ReadonlyMap<string, number>, segmentOf: ReadonlyMap<string, string>) {
  const topics = [...truth.keys()];
  return {
    nmi: nmi(
      topics.map((t) => truth.get(t)!),
      topics.map((t) => segmentOf.get(t) ?? `missing:${t}`),
    ),
    covered: topics.filter((t) => segmentOf.has(t)).length,
  };
}

/** How robust the recovery is: NMI of the coarse segments for harder and harder planted data (no database). */
async function sweep(users: number) {
  console.log(`| users | interests/user | noise | ${WEIGHTINGS.map((w) => `NMI ${w} (segments)`).join(' | ')} |`);
  console.log(`|---:|---:|---:|${WEIGHTINGS.map(() => '---:').join('|')}|`);
  for (const interests of [25, 10]) {
    for (const noise of [0.2, 0.4, 0.6]) {
      const gen: GenerateOptions = {
        users,
        communities: Number(opts.communities),
        topicsPerCommunity: Number(opts['topics-per-community']),
        subgroups: Number(opts.subgroups),
        interestsPerUser: interests,
        noise,
        seed: Number(opts.seed),
      };
      const truth = new Map(plantedTopics(gen).map((t) => [t.name, t.community]));
      const collector = new InterestCollector();
      for (const r of generateProfiles(gen)) {
        if (r.consent.segmentation)
          collector.addUser(
            r.interests.map((i) => i.topic),
            r.interests.map((i) => i.weight),
          );
      }
      const cells: string[] = [];
      for (const weighting of WEIGHTINGS) {
        let n = 0;
        const res = await segmentInterests(
          collector,
          new Map(),
          { ...DEFAULT_PARAMS, weighting, resolution: Number(opts.resolution) },
          null,
          (l) => `${l}${n++}`,
        );
        const coarse = res.segments.filter((x) => x.level === 'coarse');
        const of = new Map(coarse.flatMap((x) => x.topics.map((t) => [t.id, x.id] as const)));
        cells.push(`${plantedNmi(truth, of).nmi.toFixed(4)} (${coarse.length})`);
      }
      console.log(`| ${users} | ${interests} | ${noise} | ${cells.join(' | ')} |`);
    }
  }
}

if (opts.sweep) {
  await sweep(sizes[0]!);
  process.exit(0);
}
if (process.env.NEO4J_URI && sizes.length > 1) {
  console.error('With NEO4J_URI set, give one size (--sizes N): each size needs an empty graph.');
  process.exit(2);
}

/** User + system CPU seconds of a process (Linux /proc), children not included. */
function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function vmHwmMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function load(db: Db, gen: GenerateOptions) {
  const topics = plantedTopics(gen);
  await db.writeBatches(
    'segmentation/bench-create-topics',
    topics.map((t) => ({ id: topicId(t.name), key: topicKey(t.name), name: t.name, category: t.category })),
  );
  const bar = new cliProgress.SingleBar(
    { format: '  load    [{bar}] {value}/{total} users  {duration}s' },
    cliProgress.Presets.shades_classic,
  );
  bar.start(gen.users, 0);
  let batch: unknown[] = [];
  let done = 0;
  const flush = async () => {
    await db.write('segmentation/bench-create-users', { rows: batch }, { deadline: 'batch' });
    done += batch.length;
    bar.update(done);
    batch = [];
  };
  let u = 0;
  for (const r of generateProfiles(gen)) {
    batch.push({
      id: `bench-${u++}`,
      consent: r.consent.segmentation,
      interests: r.interests.map((i) => ({ topic: topicId(i.topic), weight: i.weight })),
    });
    if (batch.length >= 2000) await flush();
  }
  if (batch.length) await flush();
  bar.stop();
  return topics;
}

interface Row {
  run: string;
  stabilityNmi: number | null;
  users: number;
  edges: number;
  topics: number;
  segments: number;
  fine: number;
  nmi: number;
  nmiFine: number;
  covered: string;
  projectMs: number;
  detectMs: number;
  writeMs: number;
  totalMs: number;
  rssMb: number;
  neo4jMb: number | null;
  loadS: number;
  nodeCpuS: number;
  neo4jCpuS: number | null;
  loadAvg: number;
  blockedMs: number;
}

function generateOptions(users: number): GenerateOptions {
  return {
    users,
    communities: Number(opts.communities),
    topicsPerCommunity: Number(opts['topics-per-community']),
    subgroups: Number(opts.subgroups),
    interestsPerUser: Number(opts.interests),
    noise: Number(opts.noise),
    seed: Number(opts.seed),
  };
}

async function benchSize(users: number): Promise<Row[]> {
  let local: LocalNeo4j | undefined;
  let dataDir: string | undefined;
  let uri = process.env.NEO4J_URI;
  const gen = generateOptions(users);
  let bulkS: number | undefined;
  if (!uri) {
    dataDir = opts['data-dir'] ? path.join(opts['data-dir'], String(users)) : mkdtempSync(path.join(tmpdir(), 'ns-bench-seg-'));
    const password = opts['data-dir'] ? persistentSecret(undefined, `${dataDir}-password`) : generatePassword();
    const bulk = opts.load === 'bulk' || (opts.load === 'auto' && users >= BULK_FROM);
    if (bulk && !storeExists(dataDir)) {
      console.log(`\n${users} users: bulk load (npm run import -- --initial) into ${dataDir}`);
      const t0 = performance.now();
      const result = await bulkLoadPlanted(dataDir, password, gen, SECRET_KEY);
      bulkS = Math.round((performance.now() - t0) / 100) / 10;
      const { seconds: s, cpu } = result;
      console.log(
        `  bulk load ${bulkS} s: ${result.counts.users} users, ${result.counts.interests} interest edges; scan ${s.scan.toFixed(1)} s, ` +
          `convert ${s.convert.toFixed(1)} s (CPU ${cpu.convert.toFixed(1)} s), neo4j-admin ${s.import.toFixed(1)} s ` +
          `(CPU ${cpu.import.toFixed(1)} s), first start + schema ${s.schema.toFixed(1)} s (CPU ${cpu.schema.toFixed(1)} s)`,
      );
    }
    local = await startLocalNeo4j({ dataDir, port: 0, heap: opts.heap, pagecache: opts.pagecache, gds: opts.engine === 'gds', password });
    uri = local.uri;
  }
  const config = loadConfig({ ...process.env, NEO4J_URI: uri, LOG_LEVEL: 'warn', DEMO_DATA: 'false', SEGMENTATION_ENGINE: opts.engine });
  const db = new Db({ uri, user: config.NEO4J_USER, password: local?.password ?? config.NEO4J_PASSWORD, database: config.NEO4J_DATABASE });
  try {
    await applySchema(db);
    const [existing] = await db.read<{ users: number }>('segmentation/count-users');
    const reuse = (opts['data-dir'] !== undefined || bulkS !== undefined) && existing?.users === users;
    if ((existing?.users ?? 0) > 0 && !reuse) throw new Error(`the graph at ${uri} already has ${existing!.users} users; use an empty one`);
    if (reuse && bulkS === undefined) console.log(`  reusing the ${users} users already in ${dataDir}`);
    console.log(
      `\n${users} users × ~${gen.interestsPerUser} interests, ${gen.communities}×${gen.topicsPerCommunity} planted topics, noise ${gen.noise}`,
    );
    const t0 = performance.now();
    const planted = reuse ? plantedTopics(gen) : await load(db, gen);
    const loadS = bulkS ?? Math.round((performance.now() - t0) / 100) / 10;
    // Counting streams every interest (a minute at 1M people): done once per kept store.
    const edgesFile = opts['data-dir'] && dataDir ? `${dataDir}-edges` : undefined;
    const edges = edgesFile && reuse && existsSync(edgesFile) ? Number(readFileSync(edgesFile, 'utf8')) : await countEdges(db);
    if (edgesFile) writeFileSync(edgesFile, String(edges));

    const deps = { config, db, logger: createLogger('warn'), secretKey: SECRET_KEY };
    const services = { segmentation: createSegmentation(deps, new Hooks()), logger: deps.logger, shutdown: async () => undefined };
    // The run worker hosted in this process (no worker process to spawn), driven one run at a time.
    const worker = new RunWorker(services, { pollMs: 1_000 });
    const runsOut: Row[] = [];
    for (let runNo = 1; runNo <= Number(opts.runs); runNo++) {
      const bar = new cliProgress.SingleBar(
        { format: `  run ${runNo} {phase} [{bar}] {value}/{total}  {duration}s` },
        cliProgress.Presets.shades_classic,
      );
      bar.start(1, 0, { phase: 'project ' });
      worker.runner.onProgress = (_id, p) => {
        const phase = p.phase.padEnd(8);
        if (p.total) bar.setTotal(p.total);
        else if (p.phase === 'project') bar.setTotal(users);
        else bar.setTotal(1);
        bar.update(p.done ?? (p.phase === 'done' ? 1 : 0), { phase });
      };
      let peak = process.memoryUsage().rss;
      const cpu0 = process.cpuUsage();
      const loop = monitorEventLoopDelay({ resolution: 20 });
      loop.enable();
      const neo4jPid = local?.process.pid;
      const neo4jCpu0 = cpuSeconds(neo4jPid);
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const { id } = await services.segmentation.queue.enqueue({
        weighting: opts.weighting as Weighting,
        resolution: Number(opts.resolution),
      });
      await worker.runOnce();
      const cpu = process.cpuUsage(cpu0);
      loop.disable();
      const neo4jCpu1 = cpuSeconds(neo4jPid);
      clearInterval(sampler);
      bar.stop();
      const run = await services.segmentation.queue.getRun(id);
      if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`);
      const m = run.metrics as Record<string, any>;

      const segments = await services.segmentation.repository.runSegmentTopics(id);
      const score = (level: string, truth: 'community' | 'subgroup') => {
        const of = new Map<string, string>();
        for (const s of segments) if (s.level === level) for (const t of s.topics) of.set(t, s.id);
        return plantedNmi(new Map(planted.map((t) => [topicId(t.name), t[truth]])), of);
      };
      const coarse = score('coarse', 'community');
      const fine = score('fine', 'subgroup');
      const row: Row = {
        run: runNo === 1 ? 'cold' : 'warm',
        stabilityNmi: m.stability?.nmi ?? null,
        users,
        edges,
        topics: m.topics,
        segments: m.segments,
        fine: m.fineSegments,
        nmi: coarse.nmi,
        nmiFine: fine.nmi,
        covered: `${coarse.covered}/${planted.length}`,
        projectMs: m.phases.projectMs,
        detectMs: m.phases.detectMs,
        writeMs: m.phases.writeMs,
        totalMs: m.durationMs,
        rssMb: Math.round(peak / 1048576),
        neo4jMb: vmHwmMb(neo4jPid),
        loadS,
        nodeCpuS: Math.round((cpu.user + cpu.system) / 1e5) / 10,
        neo4jCpuS: neo4jCpu0 === null || neo4jCpu1 === null ? null : Math.round((neo4jCpu1 - neo4jCpu0) * 10) / 10,
        loadAvg: loadavg()[0]!,
        blockedMs: Math.round(loop.max / 1e6),
      };
      runsOut.push(row);
      console.log(
        `  run ${runNo} (${row.run}): NMI ${row.nmi.toFixed(4)} (fine ${row.nmiFine.toFixed(4)}), covered ${row.covered}, ${row.segments} segments (${row.fine} fine), ` +
          `project ${row.projectMs} ms, detect ${row.detectMs} ms, write ${row.writeMs} ms, ` +
          `total ${row.totalMs} ms, peak RSS ${row.rssMb} MB (Neo4j ${row.neo4jMb ?? '?'} MB), ` +
          `CPU node ${row.nodeCpuS} s / Neo4j ${row.neo4jCpuS ?? '?'} s, longest block of the event loop ${row.blockedMs} ms, load ${row.loadAvg.toFixed(1)}`,
      );
    }
    await services.shutdown();
    return runsOut;
  } finally {
    await db.close();
    await local?.stop();
    if (dataDir && !opts['data-dir']) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countEdges(db: Db): Promise<number> {
  let n = 0;
  // No decay: the stored weights, as a run without halfLifeDays reads them.
  await db.stream('segmentation/stream-interests', { halfLifeMs: null, asOfMs: 0 }, (row) => (n += (row.topics as unknown[]).length));
  return n;
}

const rows: Row[] = [];
for (const users of sizes) rows.push(...(await benchSize(users)));

console.log(`\nEngine: ${opts.engine}`);
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}`,
);
console.log(`Command: npx tsx scripts/bench-segmentation.ts ${process.argv.slice(2).join(' ')}`.trim());
console.log(
  '\n| users | run | interest edges | topics | segments (fine) | NMI coarse (fine) | covered | NMI vs previous run | project ms | detect ms | write ms | project+detect+write ms | run total ms | peak RSS node / Neo4j MB | CPU s node / Neo4j | longest loop block ms | load |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.users} | ${r.run} | ${r.edges} | ${r.topics} | ${r.segments} (${r.fine}) | ${r.nmi.toFixed(4)} (${r.nmiFine.toFixed(4)}) | ${r.covered} | ${r.stabilityNmi === null ? '–' : r.stabilityNmi.toFixed(4)} | ${r.projectMs} | ${r.detectMs} | ${r.writeMs} | ${r.projectMs + r.detectMs + r.writeMs} | ${r.totalMs} | ${r.rssMb} / ${r.neo4jMb ?? '?'} | ${r.nodeCpuS} / ${r.neo4jCpuS ?? '?'} | ${r.blockedMs} | ${r.loadAvg.toFixed(1)} |`,
  );
}
