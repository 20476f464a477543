/**
 * `npx tsx scripts/bench-quality.ts [--sizes 5k,50k,200k,noise] [--seed 1] [--popularity 0] [--seeds]
 *   [--in-memory] [--heap 4g] [--params '{"coreSupport": 5}']`
 *
 * Do the natural segments match the truth, at every scale, with default settings? Data from
 * scripts/lib/planted-mixtures.ts (power-law community sizes 15–300 topics, people mixing 1–3 communities with unequal
 * weights, Zipf popularity inside a community, 20% of interests from overall popularity, a quarter of the signals as
 * purchases); `noise` is the same shape with no communities at all (everything from overall popularity).
 *
 * Each size gets a throwaway embedded Neo4j (data dir under /tmp) and the real app (createServices + createApp +
 * listen) on a loopback port, and the bench uses only the public HTTP API: profiles imported with
 * POST /v1/imports/profiles (NDJSON), a run started with POST /v1/segmentation/runs (defaults) and polled with
 * GET /v1/segmentation/runs/:id, segments read with GET /v1/segments and /v1/segments/:id/topics, people's affinities
 * with POST /v1/affinities/batch. With --seeds a second run (seed 43) is read back and compared topic by topic with
 * the first (NMI). --in-memory skips Neo4j and HTTP: the pure pipeline (segmentInterests), affinities computed from its
 * coarse segments with the service's definition — for quick iteration on the algorithm.
 *
 * Printed per size: NMI (topics), person top-1 vs possible, mean total-variation distance of a person's affinity vector
 * to their planted mix (vs possible), segments found / planted, significant segments, import and run times, the run's
 * phase times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { startLocalNeo4j } from '../src/db/local-neo4j.js';
import { Db, timeoutsFrom } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { createApp } from '../src/app.js';
import { closeNow, listen, serverTimeoutsFrom } from '../src/api/listen.js';
import { topicId } from '../src/graph/topic-key.js';
import { InterestCollector } from '../src/segmentation/projection.js';
import { DEFAULT_PARAMS, segmentInterests } from '../src/segmentation/pipeline.js';
import { nmi } from '../src/segmentation/stability.js';
import {
  generateMixtures,
  type MixtureOptions,
  type PlantedData,
  profileRecord,
  type Quality,
  scorePartition,
} from './lib/planted-mixtures.js';

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '5k,50k,200k' },
    seed: { type: 'string', default: '1' },
    popularity: { type: 'string', default: '0' },
    seeds: { type: 'boolean', default: false },
    'in-memory': { type: 'boolean', default: false },
    heap: { type: 'string', default: '4g' },
    params: { type: 'string', default: '{}' },
  },
});
/** Run parameters beyond the defaults (a JSON object, the body of POST /v1/segmentation/runs): for comparisons only. */
const runParams = JSON.parse(opts.params) as Record<string, unknown>;

const PRESETS: Record<string, Omit<MixtureOptions, 'seed'>> = {
  '5k': { people: 5_000, communities: 30, interests: 12 },
  '50k': { people: 50_000, communities: 120, interests: 25 },
  // Parameter bounds (POST /v1/segmentation/runs) are measured at 100k people: the scale at which any run must finish
  // within minutes. `heavy-100k` has people holding ~200 interests (100..300), where maxTopicsPerUser bites.
  '100k': { people: 100_000, communities: 250, interests: 25 },
  'heavy-100k': { people: 100_000, communities: 250, interests: 200 },
  '200k': { people: 200_000, communities: 400, interests: 25 },
  // The scale presets of issue 16 (run time and memory from 100k to 1M people; use --in-memory for the pipeline alone).
  '300k': { people: 300_000, communities: 500, interests: 25 },
  '1M': { people: 1_000_000, communities: 1000, interests: 25 },
  // 1M people over a long tail: a fifth of every person's interests from 1.2M topics in no community (Zipf).
  '1M-tail': { people: 1_000_000, communities: 1000, interests: 25, tailTopics: 1_200_000, tailShare: 0.2 },
  '100k-tail': { people: 100_000, communities: 250, interests: 25, tailTopics: 500_000, tailShare: 0.2 },
  noise: { people: 50_000, communities: 120, interests: 25, pureNoise: true },
  'noise-5k': { people: 5_000, communities: 30, interests: 12, pureNoise: true },
};

interface Row {
  size: string;
  people: number;
  topics: number;
  interests: number;
  q: Quality;
  significant: number;
  segmentsApi: number;
  seedNmiRun: number | null;
  seedNmiApi: number | null;
  importS: number | null;
  runMs: number;
  phases: Record<string, number>;
  metrics: Record<string, unknown>;
}

const bar = (label: string, total: number) => {
  const b = new cliProgress.SingleBar(
    { format: `  ${label.padEnd(10)} [{bar}] {value}/{total} {unit} {duration}s`, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { unit: '' });
  return b;
};

function describe(name: string, data: PlantedData) {
  const interests = data.people.reduce((a, p) => a + p.topics.length, 0);
  const held = new Set(data.people.flatMap((p) => p.topics)).size;
  console.log(
    `\n${name}: ${data.people.length} people, ${data.communitySizes.length} planted communities (${Math.min(...data.communitySizes)}–${Math.max(...data.communitySizes)} topics), ` +
      `${held} topics held, ${interests} interests (${(interests / data.people.length).toFixed(1)} a person)`,
  );
  return interests;
}

async function inMemory(name: string, data: PlantedData): Promise<Row> {
  const interests = describe(name, data);
  const col = new InterestCollector();
  for (const p of data.people)
    col.addUser(
      p.topics.map((t) => topicId(data.topics[t]!)),
      p.weights,
    );
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  // Sampled whenever the run lets the event loop in (between its steps): a lower bound of the run's own heap peak.
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let n = 0;
  const res = await segmentInterests(col, new Map(), { ...DEFAULT_PARAMS, ...runParams }, null, (l) => `${l}-${n++}`);
  const runMs = performance.now() - t0;
  const cpuRun = process.cpuUsage(cpu0);
  clearInterval(sampler);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  const coarse = res.segments.filter((s) => s.level === 'coarse');
  const byId = new Map(coarse.flatMap((s) => s.topics.map((t) => [t.id, s.id] as const)));
  const ids = data.topics.map((t) => topicId(t));
  const q = scorePartition(data, { segmentOf: (t) => byId.get(ids[t]!), other: new Set(coarse.filter((s) => s.other).map((s) => s.id)) });
  return {
    size: name,
    people: data.people.length,
    topics: data.topics.length,
    interests,
    q,
    significant: res.significantSegments,
    segmentsApi: coarse.length,
    seedNmiRun: res.seedNmi,
    seedNmiApi: null,
    importS: null,
    runMs,
    phases: { projectMs: res.timings.projectMs, detectMs: res.timings.detectMs, ...res.natural?.timings },
    metrics: {
      coreTopics: res.natural?.coreTopics,
      coreSupport: res.natural?.coreSupport,
      pieces: res.natural?.pieces,
      merged: res.natural?.merged,
      // The whole process (generated data and the collector included) and the run's own heap growth.
      // CPU time of the run (user + system, every thread): what a loaded machine does not inflate as it does wall time.
      runCpuS: Math.round((cpuRun.user + cpuRun.system) / 1e5) / 10,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      runHeapMb: Math.round((heapPeak - heapBefore) / 2 ** 20),
      tail: q.tailHeld > 0 ? `${q.tailPlaced}/${q.tailHeld} placed` : undefined,
    },
  };
}

/** The real app over a throwaway embedded Neo4j, driven through HTTP only. */
async function overHttp(name: string, data: PlantedData): Promise<Row> {
  const interests = describe(name, data);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ns-bench-quality-'));
  const neo4j = await startLocalNeo4j({ dataDir, port: 0, heap: opts.heap, pagecache: '2g' });
  const config = loadConfig({
    ...process.env,
    NEO4J_URI: neo4j.uri,
    NEO4J_PASSWORD: neo4j.password,
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
    SECRET_KEY: 'bench-quality-secret-key-0123456789',
    SEGMENTATION_ENGINE: 'graphology',
    // A quality bench, not a latency one: generous deadlines for a machine shared with other jobs, no rate limit in
    // the way of reading every person's affinities.
    NEO4J_QUERY_TIMEOUT_MS: '120000',
    REQUEST_TIMEOUT_MS: '120000',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const db = new Db({ uri: neo4j.uri, user: config.NEO4J_USER, password: config.NEO4J_PASSWORD, timeouts: timeoutsFrom(config) });
  await applySchema(db);
  const services = createServices({ config, db, logger: createLogger('warn'), secretKey: config.SECRET_KEY! });
  await services.start();
  const { server, baseUrl } = await listen(createApp(services), 0, '127.0.0.1', serverTimeoutsFrom(config));
  const key = (await services.apiKeys.create('bench-quality', 'admin')).key;
  const call = async (method: string, url: string, body?: unknown, contentType = 'application/json') => {
    const send = () =>
      fetch(baseUrl + url, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    // A kept-alive socket the server closed meanwhile (its 5 s idle timeout on a loaded machine) resets the request:
    // reads are safe to repeat, and so are imports (idempotent).
    let res: Response | undefined;
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await send();
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
    return text ? (JSON.parse(text) as any) : null;
  };
  try {
    // Import: NDJSON chunks through the public endpoint.
    let t0 = performance.now();
    const imp = bar('import', data.people.length);
    const CHUNK = 2000;
    for (let i = 0; i < data.people.length; i += CHUNK) {
      const lines = data.people.slice(i, i + CHUNK).map((p) => JSON.stringify(profileRecord(data, p)));
      const res = await call('POST', '/v1/imports/profiles', lines.join('\n'), 'application/x-ndjson');
      if (res.rejected.length) throw new Error(`import rejected ${res.rejected.length} records: ${JSON.stringify(res.rejected[0])}`);
      imp.update(Math.min(data.people.length, i + CHUNK), { unit: 'people' });
    }
    imp.stop();
    const importS = (performance.now() - t0) / 1000;

    const runAndRead = async (body: object) => {
      const { id } = await call('POST', '/v1/segmentation/runs', body);
      const b = bar('run', 1);
      let run: any;
      for (;;) {
        run = await call('GET', `/v1/segmentation/runs/${id}`);
        b.update(0, { unit: run.phase ?? run.status });
        if (run.status === 'succeeded' || run.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      b.update(1, { unit: run.status });
      b.stop();
      if (run.status !== 'succeeded') throw new Error(`run ${id} ${run.status}: ${run.error}`);
      // A succeeded run becomes visible once this process has prepared to serve it (src/segmentation/visible-run.ts).
      while ((await call('GET', '/v1/segments?limit=1')).runId !== id) await new Promise((r) => setTimeout(r, 250));
      const segments: any[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await call('GET', `/v1/segments?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        segments.push(...page.items);
        if (!(cursor = page.nextCursor)) break;
      }
      const segmentOf = new Map<string, string>();
      const rd = bar('segments', segments.length);
      for (const [i, s] of segments.entries()) {
        for (let cursor: string | undefined; ;) {
          const page = await call('GET', `/v1/segments/${s.id}/topics?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          for (const t of page.items) segmentOf.set(t.id, s.id);
          if (!(cursor = page.nextCursor)) break;
        }
        rd.update(i + 1, { unit: 'segments' });
      }
      rd.stop();
      return { run, segments, segmentOf };
    };

    t0 = performance.now();
    const first = await runAndRead(runParams);
    const affinities: Array<Map<string, number>> = [];
    const af = bar('affinities', data.people.length);
    for (let i = 0; i < data.people.length; i += 1000) {
      const users = data.people.slice(i, i + 1000).map((p) => `crm:${p.externalId}`);
      const res = await call('POST', '/v1/affinities/batch', { users });
      if (res.missing?.length) throw new Error(`affinities missing for ${res.missing.length} people`);
      const stale = res.items.find((it: any) => it.runId !== first.run.id);
      if (stale) throw new Error(`affinities of ${stale.user} come from run ${stale.runId}, not ${first.run.id}`);
      const byUser = new Map<string, Map<string, number>>(
        res.items.map((it: any) => [it.user, new Map(it.segments.map((s: any) => [s.segmentId, s.affinity]))]),
      );
      for (const u of users) affinities.push(byUser.get(u) ?? new Map());
      af.update(Math.min(data.people.length, i + 1000), { unit: 'people' });
    }
    af.stop();
    const ids = data.topics.map((t) => topicId(t));
    const other = new Set<string>(first.segments.filter((s) => s.other).map((s) => s.id));
    const q = scorePartition(data, {
      segmentOf: (t) => first.segmentOf.get(ids[t]!),
      other,
      affinities: (_p, i) => affinities[i]!,
    });
    let seedNmiApi: number | null = null;
    if (opts.seeds) {
      const second = await runAndRead({ ...runParams, seed: 43 });
      const both = ids.filter((id) => first.segmentOf.has(id) && second.segmentOf.has(id));
      seedNmiApi = nmi(
        both.map((id) => first.segmentOf.get(id)!),
        both.map((id) => second.segmentOf.get(id)!),
      );
    }
    const m = first.run.metrics;
    return {
      size: name,
      people: data.people.length,
      topics: data.topics.length,
      interests,
      q,
      significant: m.significantSegments ?? first.segments.filter((s) => s.quality?.significant).length,
      segmentsApi: first.segments.length,
      seedNmiRun: m.seedNmi ?? null,
      seedNmiApi,
      importS,
      runMs: m.durationMs,
      phases: { ...m.phases, ...m.natural?.timings },
      metrics: {
        coreTopics: m.natural?.coreTopics,
        coreSupport: m.natural?.coreSupport,
        pieces: m.natural?.pieces,
        merged: m.natural?.merged,
      },
    };
  } finally {
    await closeNow(server);
    await services.shutdown();
    await db.close();
    await neo4j.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const size of opts.sizes.split(',')) {
  const preset = PRESETS[size];
  if (!preset) throw new Error(`unknown size ${size} (${Object.keys(PRESETS).join(', ')})`);
  const data = generateMixtures({ ...preset, seed: Number(opts.seed), popularityExponent: Number(opts.popularity) });
  const row = opts['in-memory'] ? await inMemory(size, data) : await overHttp(size, data);
  rows.push(row);
  const { q } = row;
  console.log(
    `  NMI ${q.nmi.toFixed(4)} (topics held by ≥10: ${q.nmiFrequent.toFixed(4)}), top-1 ${q.top1.toFixed(4)} vs possible ${q.possibleTop1.toFixed(4)}, ` +
      `TV ${q.tv.toFixed(3)} vs ${q.possibleTv.toFixed(3)}, segments ${q.segments}/${q.planted} (${q.communitiesFound} communities found), ` +
      `significant ${row.significant}, Other ${q.topicsInOther} topics, seeds NMI ${row.seedNmiRun ?? '–'} (run) / ${row.seedNmiApi?.toFixed(4) ?? '–'} (API), ` +
      `run ${(row.runMs / 1000).toFixed(1)} s ${JSON.stringify(Object.fromEntries(Object.entries(row.phases).map(([k, v]) => [k, Math.round(v)])))} ${JSON.stringify(row.metrics)}`,
  );
}

console.log(
  `\nMachine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}`,
);
console.log(`Command: npx tsx scripts/bench-quality.ts ${process.argv.slice(2).join(' ')}`.trim());
console.log(
  '\n| data | people | topics held | NMI (topics) | person top-1 / possible | TV / possible | segments / planted | significant | seeds NMI (run / API) | import s | run s | project / detect / write / affinity ms |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const q = r.q;
  const ph = r.phases;
  console.log(
    `| ${r.size} | ${r.people} | ${q.topicsHeld} | ${q.nmi.toFixed(4)} | ${q.top1.toFixed(4)} / ${q.possibleTop1.toFixed(4)} | ${q.tv.toFixed(3)} / ${q.possibleTv.toFixed(3)} | ` +
      `${q.segments} / ${q.planted} | ${r.significant} | ${r.seedNmiRun?.toFixed(4) ?? '–'} / ${r.seedNmiApi?.toFixed(4) ?? '–'} | ${r.importS?.toFixed(0) ?? '–'} | ${(r.runMs / 1000).toFixed(1)} | ` +
      `${[ph.projectMs, ph.detectMs, ph.writeMs, ph.affinityMs].map((x) => (x === undefined ? '–' : Math.round(x))).join(' / ')} |`,
  );
}
