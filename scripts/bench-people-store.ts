/**
 * `npx tsx --expose-gc scripts/bench-people-store.ts [--people 100000,300000,1000000] [--interests 25] [--topics 100000]
 *   [--segments 150] [--seed 1]`
 *
 * What holding everyone in an API process costs (src/affinity/interest-store.ts, audience-index.ts), without a
 * database: synthetic people (Zipf-distributed topics, CRM-like identity keys) go into the InterestStore as the
 * warm-up stream would put them, then an audience index of a model with `--segments` coarse segments is built. Prints
 * heap and off-heap memory per person, time per person for loading and indexing, and the time of one audience page
 * and one segment of one. Pure CPU and memory: the figures do not depend on Neo4j.
 */
import { parseArgs } from 'node:util';
import { InterestStore } from '../src/affinity/interest-store.js';
import { RunModel } from '../src/affinity/run-model.js';
import { AudienceIndex } from '../src/affinity/audience-index.js';
import { segmentOfOne } from '../src/affinity/segment-of-one.js';
import { mulberry32 } from '../src/segmentation/random.js';

const { values: opts } = parseArgs({
  options: {
    people: { type: 'string', default: '100000,300000,1000000' },
    interests: { type: 'string', default: '25' },
    topics: { type: 'string', default: '100000' },
    segments: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npx tsx --expose-gc ...)');
const mb = (n: number) => Math.round(n / 2 ** 20);

function measure(people: number) {
  const rand = mulberry32(Number(opts.seed));
  const topics = Number(opts.topics);
  const segments = Number(opts.segments);
  const interests = Number(opts.interests);
  // Zipf-like popularity: topic index from a power law, so a few topics are everywhere and most are rare.
  const zipf = () => Math.min(topics - 1, Math.floor(Math.pow(rand(), 2.5) * topics));
  const model = RunModel.from({
    runId: 'bench',
    segments: Array.from({ length: segments }, (_, s) => ({ segmentId: `seg_${s}`, label: `Segment ${s}`, share: 1 / segments })),
    memberships: Array.from({ length: topics }, (_, t) => ({
      topicId: `t_${t.toString(16).padStart(16, '0')}`,
      segmentId: `seg_${t % segments}`,
      name: `Topic ${t}`,
    })),
    related: [],
  });
  gc!();
  const before = process.memoryUsage();
  const store = new InterestStore();
  let t0 = performance.now();
  for (let i = 0; i < people; i++) {
    const n = Math.max(1, Math.round(interests * (0.5 + rand())));
    const ts = new Set<string>();
    while (ts.size < n) ts.add(`t_${zipf().toString(16).padStart(16, '0')}`);
    const list = [...ts];
    store.upsert({
      userId: crypto.randomUUID(),
      keys: [`crm:c-${i}`],
      consent: true,
      topics: list,
      weights: list.map(() => 1 + Math.floor(rand() * 3)),
      removed: [],
    });
  }
  const loadMs = performance.now() - t0;
  gc!();
  const held = process.memoryUsage();
  t0 = performance.now();
  const index = new AudienceIndex(store, model);
  void index.fill(async () => undefined, Number.MAX_SAFE_INTEGER);
  const indexMs = performance.now() - t0;
  gc!();
  const indexed = process.memoryUsage();
  t0 = performance.now();
  const page = index.page(0, { minAffinity: 0, minLift: 0 }, undefined, 100);
  const pageMs = performance.now() - t0;
  t0 = performance.now();
  const reads = 20_000;
  for (let i = 0; i < reads; i++) JSON.stringify(segmentOfOne(store, Math.floor(rand() * people), model));
  const readUs = ((performance.now() - t0) * 1000) / reads;
  const heapPer = (held.heapUsed - before.heapUsed) / people;
  const offPer = (held.arrayBuffers - before.arrayBuffers) / people;
  console.log(
    `| ${people.toLocaleString('en')} | ${Math.round(heapPer)} + ${Math.round(offPer)} | ${mb(held.heapUsed - before.heapUsed + held.arrayBuffers - before.arrayBuffers)} | ` +
      `${mb(indexed.arrayBuffers - held.arrayBuffers + indexed.heapUsed - held.heapUsed)} | ${((loadMs / people) * 1000).toFixed(2)} | ` +
      `${Math.round(indexMs)} | ${pageMs.toFixed(1)} (${page.length}) | ${readUs.toFixed(1)} |`,
  );
}

console.log(`${opts.interests} interests per person on average over ${opts.topics} Zipf-distributed topics, ${opts.segments} segments`);
console.log(
  '| people | bytes per person (heap + off-heap) | store MB | audience index MB | load µs/person | index build ms | first audience page ms (rows) | segment of one µs |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const n of opts.people.split(',').map(Number)) measure(n);
