/**
 * `npx tsx scripts/bench-run-bounds.ts [--people 100000] [--interests 25] [--communities 250] [--cap-s 600]
 *   [--variants '[{"neighbours": 300}, ...]']`
 *
 * What the extremes of POST /v1/segmentation/runs's parameters cost: the bounds the API enforces (src/segmentation/
 * schemas.ts) come from here. Planted data (scripts/lib/planted-mixtures.ts, the shape bench-quality.ts uses) of
 * `--people` people holding `--interests` interests on average; each variant (the defaults overridden by one object of
 * `--variants`, default: the extremes below) runs the pure pipeline (segmentInterests: projection, Louvain, the natural
 * steps, the second seed, fine level, labels: everything a run's worker computes, without Neo4j) in its own child
 * process, stopped after `--cap-s` seconds. Printed per variant: wall time, CPU time of the child (less sensitive to a
 * machine shared with other jobs than the wall time), peak memory, coarse segments, and the ratio of CPU time to the
 * defaults'. Writing a run costs in proportion to its RELATED edges (topics × relatedPerTopic) and segments, not
 * measured here; see docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { topicId } from '../src/graph/topic-key.js';
import { InterestCollector } from '../src/segmentation/interest-collector.js';
import { DEFAULT_PARAMS, segmentInterests } from '../src/segmentation/pipeline.js';
import { generateMixtures } from './lib/planted-mixtures.js';

const { values: opts } = parseArgs({
  options: {
    people: { type: 'string', default: '100000' },
    interests: { type: 'string', default: '25' },
    communities: { type: 'string', default: '250' },
    'cap-s': { type: 'string', default: '600' },
    variants: { type: 'string' },
    child: { type: 'string' },
    heap: { type: 'string', default: '6144' },
  },
});

const EXTREMES: Array<Record<string, unknown>> = [
  {},
  { neighbours: 100 },
  { neighbours: 300 },
  { neighbours: 1000 },
  { neighbours: 0 },
  { maxTopicsPerUser: 200 },
  { maxTopicsPerUser: 1000 },
  { coreSupport: 1, minSupport: 1 },
  { resolution: 0.01 },
  { resolution: 10 },
  { minSegmentSize: 1 },
  { weighting: 'count' },
];

interface Outcome {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  coarse: number;
  fine: number;
  topics: number;
  edges: number;
  related: number;
}

async function child(variant: Record<string, unknown>): Promise<void> {
  const data = generateMixtures({
    people: Number(opts.people),
    communities: Number(opts.communities),
    interests: Number(opts.interests),
    seed: 1,
  });
  const col = new InterestCollector();
  for (const p of data.people)
    col.addUser(
      p.topics.map((t) => topicId(data.topics[t]!)),
      p.weights,
    );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  const res = await segmentInterests(col, new Map(), { ...DEFAULT_PARAMS, ...variant }, null, (l) => `${l}-${n++}`);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const out: Outcome = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.resourceUsage().maxRSS / 1024,
    coarse: res.segments.filter((s) => s.level === 'coarse').length,
    fine: res.segments.filter((s) => s.level === 'fine').length,
    topics: res.topics,
    edges: res.edges,
    related: res.related.length,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

function runVariant(variant: Record<string, unknown>, capS: number): Promise<Outcome | 'timeout' | string> {
  return new Promise((resolve) => {
    const args = [
      '--import',
      'tsx',
      `--max-old-space-size=${opts.heap}`,
      new URL(import.meta.url).pathname,
      '--child',
      JSON.stringify(variant),
      '--people',
      opts.people!,
      '--interests',
      opts.interests!,
      '--communities',
      opts.communities!,
    ];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, capS * 1000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice(7)) as Outcome);
      else resolve(timedOut ? 'timeout' : `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    });
  });
}

if (opts.child) {
  await child(JSON.parse(opts.child) as Record<string, unknown>);
} else {
  const variants = opts.variants ? (JSON.parse(opts.variants) as Array<Record<string, unknown>>) : EXTREMES;
  const capS = Number(opts['cap-s']);
  console.log(
    `bench-run-bounds: ${opts.people} people, ~${opts.interests} interests each, ${opts.communities} planted communities; cap ${capS} s per variant`,
  );
  console.log(`Command: npx tsx scripts/bench-run-bounds.ts ${process.argv.slice(2).join(' ')}`.trim());
  let baseCpu: number | undefined;
  console.log('| variant | wall s | CPU s | CPU × defaults | peak RSS MB | coarse | fine | segmented topics | edges | RELATED |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const v of variants) {
    const started = Date.now();
    const r = await runVariant(v, capS);
    const name = Object.keys(v).length ? JSON.stringify(v) : 'defaults';
    if (typeof r === 'string') {
      const what = r === 'timeout' ? `stopped after ${capS} s` : r;
      console.log(`| ${name} | ${((Date.now() - started) / 1000).toFixed(0)} | — | — | — | ${what} | | | | |`);
      continue;
    }
    if (Object.keys(v).length === 0) baseCpu = r.cpuMs;
    const ratio = baseCpu ? (r.cpuMs / baseCpu).toFixed(2) : '—';
    console.log(
      `| ${name} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.cpuMs / 1000).toFixed(1)} | ${ratio} | ${r.rssMb.toFixed(0)} | ${r.coarse} | ${r.fine} | ${r.topics} | ${r.edges} | ${r.related} |`,
    );
  }
}
