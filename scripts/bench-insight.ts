/**
 * `npx tsx scripts/bench-insight.ts [--people 100000,300000,1000000] [--interests 25] [--segments 40] [--topics-per-segment 200]
 *   [--seed 1]`
 *
 * What insight costs in an API process (src/insight/), without a database: synthetic people go into the InterestStore
 * as the warm-up stream would put them, with communities of very different sizes (Zipf over segments), people mixing
 * a second community, and popular topics everyone tends to hold. Measured per population size:
 * - counting the population once per run (PopulationCounts.fill, what a run switch costs in the background);
 * - keeping it current: one person's change (retire + admit);
 * - one insight of the largest segment, and of the median one: audience scan, member tally, ranking of lifts;
 * - the longest stretch without yielding to the event loop during a tally (slices of 5,000 members);
 * - a comparison of the two largest segments (both tallied, their overlap, lifts both ways).
 * Pure CPU: the figures do not depend on Neo4j. Each figure is the median of `--repeat` runs, as CPU time of the
 * process (wall time beside it in brackets: on a shared machine it mostly measures the neighbours).
 */
import { parseArgs } from 'node:util';
import { InterestStore } from '../src/affinity/interest-store.js';
import { RunModel } from '../src/affinity/run-model.js';
import { AudienceIndex } from '../src/affinity/audience-index.js';
import { mulberry32 } from '../src/segmentation/random.js';
import { HoldingsWalker, PopulationCounts, tallyMembers } from '../src/insight/population-counts.js';
import { defaultMinSupport, overIndexed, rankLifts } from '../src/insight/over-index.js';

const { values: opts } = parseArgs({
  options: {
    people: { type: 'string', default: '100000,300000,1000000' },
    interests: { type: 'string', default: '25' },
    segments: { type: 'string', default: '40' },
    'topics-per-segment': { type: 'string', default: '200' },
    repeat: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * CPU time of this process in ms: on a machine shared with other jobs, wall time mostly measures the neighbours
 * (docs/benchmarks.md records both).
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Wall and CPU ms of a stretch. */
const clock = () => {
  const w = performance.now();
  const c = cpuMs();
  return () => ({ wall: performance.now() - w, cpu: cpuMs() - c });
};
const fmt = (x: { wall: number; cpu: number }) => `${x.cpu.toFixed(0)} (${x.wall.toFixed(0)})`;
const mid = (xs: Array<{ wall: number; cpu: number }>) => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

function world(people: number) {
  const rand = mulberry32(Number(opts.seed));
  const segments = Number(opts.segments);
  const perSegment = Number(opts['topics-per-segment']);
  const interests = Number(opts.interests);
  const topicId = (s: number, k: number) => `t_${s}_${k}`;
  const popular = Array.from({ length: 20 }, (_, k) => `popular_${k}`);
  const model = RunModel.from({
    runId: 'bench',
    segments: Array.from({ length: segments + 1 }, (_, s) => ({ segmentId: `seg_${s}`, label: `Segment ${s}`, share: 1 / (segments + 1) })),
    memberships: [
      ...Array.from({ length: segments * perSegment }, (_, i) => ({
        topicId: topicId(Math.floor(i / perSegment), i % perSegment),
        segmentId: `seg_${Math.floor(i / perSegment)}`,
        name: `Topic ${i}`,
        category: `Category ${Math.floor(i / perSegment) % 12}`,
      })),
      ...popular.map((topicId) => ({ topicId, segmentId: `seg_${segments}`, name: topicId, category: 'Popular' })),
    ],
    related: [],
  });
  // Segment sizes follow 1/rank: the largest community is ~10x the tenth.
  const weights = Array.from({ length: segments }, (_, s) => 1 / (s + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pickSegment = () => {
    let x = rand() * total;
    for (let s = 0; s < segments; s++) if ((x -= weights[s]!) <= 0) return s;
    return segments - 1;
  };
  // Within a segment, topic popularity is skewed too.
  const pickTopic = (s: number) => topicId(s, Math.floor(Math.pow(rand(), 2) * perSegment));
  const store = new InterestStore();
  for (let i = 0; i < people; i++) {
    const home = pickSegment();
    const second = rand() < 0.3 ? pickSegment() : home;
    const n = Math.max(1, Math.round(interests * (0.5 + rand())));
    const ts = new Set<string>();
    while (ts.size < n) {
      const r = rand();
      ts.add(r < 0.1 ? popular[Math.floor(rand() * popular.length)]! : pickTopic(r < 0.75 ? home : second));
    }
    const list = [...ts];
    store.upsert({
      userId: `u${i}`,
      keys: [`crm:c-${i}`],
      consent: rand() > 0.05,
      topics: list,
      weights: list.map(() => 1 + Math.floor(rand() * 3)),
      removed: [],
    });
  }
  return { store, model, rand };
}

async function measure(people: number) {
  const { store, model, rand } = world(people);
  const repeat = Number(opts.repeat);
  const immediate = async () => undefined;

  const fills: Array<{ wall: number; cpu: number }> = [];
  let counts!: PopulationCounts;
  for (let r = 0; r < repeat; r++) {
    const stop = clock();
    counts = await new PopulationCounts(store, model).fill(immediate, Number.MAX_SAFE_INTEGER);
    fills.push(stop());
  }

  // A change as PopulationSync applies it: retire, replace, admit.
  const changes = 20_000;
  const stopChanges = clock();
  for (let i = 0; i < changes; i++) {
    const slot = Math.floor(rand() * store.slotCount);
    counts.retire(slot);
    counts.admit(slot);
  }
  const changeUs = (stopChanges().cpu * 1000) / changes;

  const index = new AudienceIndex(store, model);
  await index.fill(immediate, Number.MAX_SAFE_INTEGER);
  const sizes = model.segmentIds
    .slice(0, -1)
    .map((_, s) => ({ s, n: index.count(s, { minAffinity: 0, minLift: 0 }) }))
    .sort((a, b) => b.n - a.n);
  const pick = { largest: sizes[0]!, median: sizes[Math.floor(sizes.length / 2)]! };

  const out: Record<string, { members: number; ms: { wall: number; cpu: number }; longestSliceMs: number }> = {};
  for (const [name, { s, n }] of Object.entries(pick)) {
    const times: Array<{ wall: number; cpu: number }> = [];
    // CPU time of the longest stretch between two yields (wall time would mostly measure the neighbours).
    let longest = 0;
    for (let r = 0; r < repeat; r++) {
      let sliceStart = cpuMs();
      const pause = async () => {
        longest = Math.max(longest, cpuMs() - sliceStart);
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = cpuMs();
      };
      const stop = clock();
      const slots: number[] = [];
      index.scan(s, { minAffinity: 0, minLift: 0 }, (slot) => slots.push(slot));
      const group = await tallyMembers(new HoldingsWalker(store, model), Int32Array.from(slots), pause);
      longest = Math.max(longest, cpuMs() - sliceStart);
      const minSupport = defaultMinSupport(group.people);
      overIndexed(group, counts, 'topics', { minSupport, minLift: 1, limit: 20 });
      overIndexed(group, counts, 'categories', { minSupport, minLift: 0, limit: 10 });
      index.page(s, { minAffinity: 0, minLift: 0 }, undefined, 10);
      times.push(stop());
    }
    out[name] = { members: n, ms: mid(times), longestSliceMs: longest };
  }
  // A comparison as InsightService.compare does it: both audiences tallied, the people in both, lifts both ways.
  const compares: Array<{ wall: number; cpu: number }> = [];
  for (let r = 0; r < repeat; r++) {
    const stop = clock();
    const [a, b] = [sizes[0]!.s, sizes[1]!.s].map((s) => {
      const slots: number[] = [];
      index.scan(s, { minAffinity: 0, minLift: 0 }, (slot) => slots.push(slot));
      return Int32Array.from(slots);
    });
    const [ga, gb] = await Promise.all([a!, b!].map((slots) => tallyMembers(new HoldingsWalker(store, model), slots, immediate)));
    const inA = new Uint8Array(store.slotCount);
    for (const slot of a!) inA[slot] = 1;
    let both = 0;
    for (const slot of b!) both += inA[slot]!;
    if (both < 0) throw new Error('unreachable: keeps the overlap count live');
    for (const kind of ['topics', 'categories'] as const) {
      const limit = kind === 'topics' ? 20 : 10;
      rankLifts(ga![kind], ga!.people, (k) => gb![kind][k] ?? 0, gb!.people, {
        minSupport: defaultMinSupport(ga!.people),
        minLift: 1,
        limit,
      });
      rankLifts(gb![kind], gb!.people, (k) => ga![kind][k] ?? 0, ga!.people, {
        minSupport: defaultMinSupport(gb!.people),
        minLift: 1,
        limit,
      });
    }
    compares.push(stop());
  }

  console.log(
    `| ${people.toLocaleString('en')} | ${counts.people.toLocaleString('en')} | ${fmt(mid(fills))} | ${changeUs.toFixed(1)} | ` +
      `${out.largest!.members.toLocaleString('en')}: ${fmt(out.largest!.ms)} | ${out.median!.members.toLocaleString('en')}: ${fmt(out.median!.ms)} | ` +
      `${Math.max(out.largest!.longestSliceMs, out.median!.longestSliceMs).toFixed(1)} | ` +
      `${sizes[0]!.n.toLocaleString('en')} vs ${sizes[1]!.n.toLocaleString('en')}: ${fmt(mid(compares))} |`,
  );
}

console.log(
  `${opts.interests} interests per person on average; ${opts.segments} segments (sizes ~ 1/rank) of ${opts['topics-per-segment']} topics, ` +
    `30% of people mixing a second segment, 10% of interests in 20 popular topics; median of ${opts.repeat}`,
);
console.log(
  '| people | population | count population: CPU ms (wall) | one change: CPU µs | insight, largest segment: members: CPU ms (wall) | ' +
    'insight, median segment: members: CPU ms (wall) | longest stretch without yielding: CPU ms | compare the two largest: CPU ms (wall) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const n of opts.people.split(',').map(Number)) await measure(n);
