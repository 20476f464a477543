/**
 * `npx tsx scripts/bench-bulk-load.ts [--users 1000000] [--interests 25] [--topics 300000] [--zipf 1.0] [--threads N] [--keep]`
 *
 * The initial bulk load end to end (`npm run import -- --initial`, src/ingest/bulk-load.ts): scan + convert the file into
 * neo4j-admin's CSV files, `neo4j-admin database import full`, then the first start of the embedded server on it with the
 * schema (constraints and indexes) built. Writes a deterministic NDJSON file first (seeded; not timed): every person
 * has an email (1 in 100 shares it with another record, so stitching is exercised), `--interests` distinct interests
 * drawn from a vocabulary of `--topics` names with Zipf popularity (exponent `--zipf`: a few topics everybody likes,
 * a long tail few do), a weight and a time; 1 in 10 has a purchase. The target: 1M people × 25 interests ≤ 10 min.
 * Prints wall and CPU seconds of each phase (CPU: this process's threads and the JVMs it ran) and the load average
 * before and after: on a shared machine the CPU seconds say what the load cost, the wall times what it took.
 * `--threads`: conversion threads (default one a core).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, generatePassword } from '../src/db/local-neo4j.js';
import { bulkLoad } from '../src/ingest/bulk-load.js';
import { bulkLogProgress } from './lib/bulk-progress.js';
import { mulberry32 } from '../src/segmentation/random.js';
import { zipfPicker } from './lib/zipf.js';

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    interests: { type: 'string', default: '25' },
    topics: { type: 'string', default: '300000' },
    zipf: { type: 'string', default: '1.0' },
    seed: { type: 'string', default: '11' },
    keep: { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
const USERS = Number(opts.users);
const PER_USER = Number(opts.interests);
const TOPICS = Number(opts.topics);

const WORDS = [
  'trail',
  'jazz',
  'vegan',
  'retro',
  'indie',
  'urban',
  'solar',
  'craft',
  'yoga',
  'chess',
  'surf',
  'anime',
  'opera',
  'lego',
  'bonsai',
  'cider',
];
const CATEGORIES = ['Sport', 'Music', 'Food', 'Travel', 'Tech', 'Fashion', 'Books', 'Games', 'Outdoors', 'Art'];

async function writeFile(file: string): Promise<void> {
  const rand = mulberry32(Number(opts.seed));
  const pick = zipfPicker(TOPICS, Number(opts.zipf), rand);
  const topicName = (i: number) => `${WORDS[i % WORDS.length]} ${WORDS[(i >> 4) % WORDS.length]} ${i}`;
  const out = createWriteStream(file);
  let lines: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(PER_USER, TOPICS)) chosen.add(pick());
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    const record: Record<string, unknown> = {
      externalId: `c-${u}`,
      // 1 in 100 gives the email of the record before: the two are one person
      email: `person${u % 100 === 99 ? u - 1 : u}@example.org`,
      name: `Person ${u}`,
      interests: [...chosen].map((t) => ({
        topic: topicName(t),
        category: CATEGORIES[t % CATEGORIES.length],
        weight: 1 + Math.floor(rand() * 5),
        at: `2026-10-${day}T12:00:00Z`,
      })),
    };
    if (u % 10 === 0)
      record.purchases = [{ sku: `SKU-${u % 977}`, category: topicName(pick()), amount: 19.9, at: `2026-10-${day}T13:00:00Z` }];
    lines.push(JSON.stringify(record));
    if (lines.length === 10_000) {
      if (!out.write(lines.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      lines = [];
    }
  }
  out.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

const dir = mkdtempSync(path.join(tmpdir(), 'bench-bulk-load-'));
const file = path.join(dir, 'profiles.ndjson');
console.error(`Writing ${USERS} profiles × ${PER_USER} interests over ${TOPICS} topics (Zipf ${opts.zipf}) to ${file}...`);
await writeFile(file);
const mb = statSync(file).size / 1e6;
console.error(`${mb.toFixed(0)} MB. Loading...`);

const progress = bulkLogProgress();
const loadBefore = loadavg();
const started = performance.now();
const result = await bulkLoad({
  file,
  format: 'ndjson',
  dataDir: path.join(dir, 'neo4j'),
  secretKey: 'bench-secret-key-0123456789',
  neo4jUri: undefined,
  neo4jPort: await freePort(),
  neo4jPassword: generatePassword(),
  workDir: dir,
  threads: opts.threads ? Number(opts.threads) : undefined,
  progress,
});
const total = (performance.now() - started) / 1000;
const loadAfter = loadavg();
const c = result.counts;
const s = result.seconds;
const cpu = result.cpu;
const fs = result.firstStart;
const phase = (label: string, k: keyof typeof s) => `${label} ${s[k].toFixed(1)} s (CPU ${cpu[k].toFixed(1)} s)`;
const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
console.log(
  `\nbench-bulk-load: ${USERS} profiles × ${PER_USER} interests (${mb.toFixed(0)} MB NDJSON), vocabulary ${TOPICS} (Zipf ${opts.zipf}), ` +
    `threads ${opts.threads ?? 'default'}, ${new Date().toISOString()}\n` +
    `  loaded ${result.records}, rejected ${result.rejected.length}: ${c.users} users, ${c.identities} identities, ${c.topics} topics, ` +
    `${c.interests} interest edges, ${c.purchases} purchases\n` +
    `  ${phase('scan', 'scan')} | ${phase('convert', 'convert')} | ${phase('neo4j-admin import', 'import')} | ` +
    `${phase('first start + schema', 'schema')} [JVM start ${fs.start.toFixed(1)} s, schema ${fs.schema.toFixed(1)} s, ` +
    `count ${fs.count.toFixed(1)} s, stop ${fs.stop.toFixed(1)} s]\n  total ${total.toFixed(1)} s (${(total / 60).toFixed(1)} min), ` +
    `CPU ${Object.values(cpu)
      .reduce((a, b) => a + b, 0)
      .toFixed(1)} s; load average before ${la(loadBefore)}, after ${la(loadAfter)}`,
);
if (result.counts.interests < USERS * PER_USER * 0.99) throw new Error('fewer interest edges than generated');
if (!opts.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`  kept ${dir}`);
