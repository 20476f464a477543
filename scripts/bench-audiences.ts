/**
 * `npx tsx scripts/bench-audiences.ts [--users 100000] [--interests 25] [--communities 50] [--topics-per-community 30]
 *   [--seed 1] [--batch 2000] [--heap 4g]`
 *
 * Saved audiences at scale: planted-community data (scripts/generate.ts, loaded as bench-affinity loads it) → a real
 * segmentation run → everyone held in memory → two saved audiences on the largest segment (a segment condition; the
 * same and an interest condition), 10% holdout. Reports:
 * - full evaluation (what a newly visible run or a changed definition costs): first (everyone enters: all memberships
 *   written), again with nothing changed (differences only), and after a second segmentation run;
 * - incremental evaluation of a batch of changed people against both audiences;
 * - deliveries: a destination on a loopback receiver (200 at once) gets every member by backfill; the delivery job
 *   drains the outbox in 500-event deliveries: deliveries/s and events/s.
 * A throwaway Neo4j is started unless NEO4J_URI is set (it must then hold an empty graph).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { Db, timeoutsFrom } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { topicId } from '../src/graph/topic-key.js';
import { mulberry32 } from '../src/segmentation/random.js';
import { JobHost } from '../src/jobs/job-host.js';
import { RunWorker } from '../src/worker/run-worker.js';
import { plantedTopics, type GenerateOptions } from '../src/demo/planted.js';
import { loadPlantedUsers } from './lib/load-planted.js';
import { plantedArgs, plantedFrom } from './lib/planted-options.js';

const { values: opts } = parseArgs({
  options: {
    ...plantedArgs({ users: '100000', communities: '50', topicsPerCommunity: '30' }),
    batch: { type: 'string', default: '2000' },
    heap: { type: 'string', default: '4g' },
  },
});

const gen: GenerateOptions = plantedFrom(opts);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - started), value };
}

let local: LocalNeo4j | undefined;
let dataDir: string | undefined;

async function main() {
  let uri = process.env.NEO4J_URI;
  let password = process.env.NEO4J_PASSWORD ?? '';
  if (!uri) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-audiences-'));
    // A loaded machine can take minutes to start a JVM: a slow start is not what is measured.
    local = await startLocalNeo4j({ dataDir, port: 0, heap: opts.heap, pagecache: '2g', startTimeoutMs: 600_000 });
    uri = local.uri;
    password = local.password;
  }
  console.log(
    `bench-audiences: ${gen.users} users × ${gen.interestsPerUser} interests, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  );
  const config = loadConfig({
    NEO4J_URI: uri,
    NEO4J_PASSWORD: password,
    SECRET_KEY: 'bench-secret-key-0123456789',
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    BACKGROUND_JOBS: 'false',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    // Measured, not served: on a shared machine a 5 s query deadline would fail the measurement rather than time it.
    NEO4J_QUERY_TIMEOUT_MS: '30000',
  });
  const db = new Db({ uri, user: config.NEO4J_USER, password, timeouts: timeoutsFrom(config) });
  await applySchema(db);
  // bench-affinity's loader: user ids are `bench-<n>` in load order.
  const ids = (await loadPlantedUsers(db, gen)).map((_, i) => `bench-${i + 1}`);
  const services = createServices({ config, db, logger: createLogger('warn'), secretKey: config.SECRET_KEY! });
  await services.start();

  // The run worker hosted in this process (runs are not what is measured here).
  const worker = new RunWorker(services, { pollMs: 1_000 });
  const runOnce = async () => {
    const { id } = await services.segmentation.queue.enqueue({});
    await worker.runOnce();
    const run = await services.segmentation.queue.getRun(id);
    if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`);
    await services.segmentation.visible.refresh();
    return id;
  };
  const run1 = await timed(runOnce);
  console.log(`  segmentation run ${run1.value}: ${run1.ms} ms`);
  const warm = await timed(() => services.affinity.sync.warm());
  console.log(`  ${services.affinity.sync.store.size} people held in memory after ${warm.ms} ms`);

  // The largest segment, and one of its topics for an interest condition.
  const index = await services.affinity.served.audienceIndex();
  const model = index.model;
  const sizes = model.segmentIds.map((id, slot) => ({ id, size: index.count(slot, { minAffinity: 0.2, minLift: 0 }) }));
  const largest = sizes.sort((a, b) => b.size - a.size)[0]!;
  const topic = plantedTopics(gen).find((t) => model.segmentOf(topicId(t.name)) === largest.id)!;
  const segmentRule = { segment: largest.id, minAffinity: 0.2 };
  const audiences = services.audiences.service;
  await audiences.create({ name: 'bench: segment', where: segmentRule, holdoutPercent: 10 });
  await audiences.create({
    name: 'bench: segment and interest',
    where: { all: [segmentRule, { interest: { topic: topic.name } }] },
    holdoutPercent: 10,
  });
  const evaluator = services.audiences.evaluator;
  const defs = await services.audiences.repositories.audiences.definitions();

  const figures: Array<[string, number, string]> = [];
  for (const def of defs) {
    const first = await timed(() => evaluator.evaluateFully(def));
    const again = await timed(() => evaluator.evaluateFully(def));
    const a = await audiences.require(def.id);
    figures.push([`full evaluation, first (${a.memberCount} members written)`, first.ms, JSON.stringify(def.definition)]);
    figures.push(['full evaluation, nothing changed', again.ms, JSON.stringify(def.definition)]);
  }

  // A second run becomes visible: every audience is evaluated against it.
  const run2 = await timed(runOnce);
  console.log(`  second segmentation run: ${run2.ms} ms`);
  await services.affinity.served.audienceIndex();
  for (const def of await services.audiences.repositories.audiences.definitions()) {
    const after = await timed(() => evaluator.evaluateFully(def));
    const a = await audiences.require(def.id);
    figures.push([`full evaluation after a new run (${a.memberCount} members now)`, after.ms, JSON.stringify(def.definition)]);
  }

  // Incremental: a batch of people who changed, against both audiences.
  const draw = mulberry32(7);
  const batch = Array.from({ length: Number(opts.batch) }, () => ids[Math.floor(draw() * ids.length)]!);
  const current = await services.audiences.repositories.audiences.definitions();
  const incremental = await timed(() => evaluator.evaluatePeople(batch, current));
  figures.push([`incremental evaluation of ${batch.length} changed people × ${current.length} audiences`, incremental.ms, '']);

  console.log('\n  evaluation (ms)');
  for (const [label, ms, rule] of figures) console.log(`  ${String(ms).padStart(8)}  ${label}  ${rule}`);

  // Deliveries: backfill everyone of the first audience to a loopback receiver, then drain the outbox.
  let events = 0;
  let requests = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      events += (JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] }).events.length;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const first = current[0]!;
  const destination = await audiences.addDestination(first.id, { url });
  const destinations = services.audiences.repositories.destinations;
  const queued = await timed(async () => {
    let n = 0;
    for (let done = false; !done;) {
      const r = await destinations.backfill(destination.id, 5000, new Date());
      n += r.queued;
      done = r.done;
    }
    return n;
  });
  console.log(`\n  ${queued.value} events queued by the backfill in ${queued.ms} ms`);
  const host = new JobHost(db, createLogger('warn'), { leaseMs: 15_000 }).add(services.audiences.delivery);
  const started = performance.now();
  host.start();
  while (events < queued.value) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - started) / 1000;
  await host.stop();
  console.log(
    `  delivered ${events} events in ${requests} deliveries in ${seconds.toFixed(1)} s: ` +
      `${(requests / seconds).toFixed(1)} deliveries/s, ${Math.round(events / seconds)} events/s`,
  );
  receiver.close();
  await services.shutdown();
  await db.close();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await local?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
