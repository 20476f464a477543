import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMixtures, profileRecord } from '../scripts/lib/planted-mixtures.js';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { importProfiles, runSegmentation, type Run } from './support/dashboard-seed.js';

/**
 * Per-segment quality through the HTTP API, on small planted data: communities of different sizes that people mix,
 * with rare topics and noise (scripts/lib/planted-mixtures.ts), beside people whose interests have no structure at all.
 * The planted communities come back as significant segments with their quality; "Other interests" is never
 * significant. (Data without any community, where nothing may be significant, needs a database of its own: the
 * pipeline's unit tests and scripts/bench-quality.ts --sizes noise check that.)
 */
let db: OwnNeo4j;
let t: TestApp;
let ingestKey: string;
let marketerKey: string;
const prefix = `sq${randomUUID().slice(0, 8)} `;
const planted = generateMixtures({ people: 1500, communities: 6, interests: 10, minSize: 8, maxSize: 40, seed: 21, prefix });
const noise = generateMixtures({
  people: 300,
  communities: 4,
  interests: 8,
  minSize: 8,
  maxSize: 20,
  seed: 22,
  pureNoise: true,
  prefix: `${prefix}noise `,
});

interface Quality {
  cohesion: number;
  conductance: number;
  evidence: number;
  significant: boolean;
  seedStability: number | null;
}
interface Segment {
  id: string;
  label: string;
  other: boolean;
  topicCount: number;
  quality: Quality | null;
}

async function json<T>(path: string): Promise<T> {
  const res = await t.call('GET', path, { key: marketerKey });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function segmentOfTopic(id: string): Promise<string | null> {
  return (await json<{ segmentId: string | null }>(`/v1/topics/${id}`)).segmentId;
}

let run: Run;
let segments: Segment[];

beforeAll(async () => {
  // Own Neo4j: quality and significance are measured against everyone segmented; on the shared instance every other
  // file's people take part (a planted community came back not significant in the full suite).
  db = await startOwnNeo4j();
  t = await startTestApp(db.env, { applySchema: true, worker: 'process' });
  ingestKey = await t.keyFor('ingest');
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, ingestKey, [
    ...planted.people.map((p) => profileRecord(planted, p)),
    ...noise.people.map((p) => profileRecord(noise, p)),
  ]);
  run = await runSegmentation(t, marketerKey, 120_000);
  expect(run.status, run.error).toBe('succeeded');
  segments = [];
  for (let cursor: string | undefined; ;) {
    const page = await json<{ items: Segment[]; nextCursor?: string }>(`/v1/segments?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    segments.push(...page.items);
    if (!(cursor = page.nextCursor)) break;
  }
});

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

describe('segment quality through the API', () => {
  it('makes each planted community a significant segment with its quality', async () => {
    const byId = new Map(segments.map((s) => [s.id, s]));
    for (let c = 0; c < planted.communitySizes.length; c++) {
      // The community's most popular topic (rank 0) names the segment it ended in.
      const first = planted.topics.findIndex((_, t) => planted.community[t] === c);
      const seg = byId.get((await segmentOfTopic(topicId(planted.topics[first]!)))!)!;
      expect(seg.other).toBe(false);
      const q = seg.quality!;
      expect(q.significant).toBe(true);
      expect(q.cohesion).toBeGreaterThan(1.5);
      expect(q.evidence).toBeGreaterThan(0);
      expect(q.conductance).toBeGreaterThanOrEqual(0);
      expect(q.conductance).toBeLessThan(1);
      expect(q.seedStability).toBeGreaterThan(0.5);
      expect(q.seedStability).toBeLessThanOrEqual(1);
      // The detail answer carries the same quality and the run's count of significant segments.
      const detail = await json<Segment & { metrics: Record<string, unknown> }>(`/v1/segments/${seg.id}`);
      expect(detail.quality).toEqual(q);
      expect(detail.metrics.significantSegments).toBe(run.metrics!.significantSegments);
    }
  });

  it('keeps structureless topics together: one segment, not split at the fine level', async () => {
    // Relative to everybody in the database the structureless people are a group of their own (they hold only these
    // topics), so their topics are one real segment; among themselves they have no structure, so nothing splits it.
    const ids = new Set<string>();
    for (const name of noise.topics) {
      const held = noise.people.some((p) => p.topics.includes(noise.topics.indexOf(name)));
      if (held) ids.add((await segmentOfTopic(topicId(name)))!);
    }
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const fine: Segment[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await json<{ items: Array<Segment & { parentId: string | null }>; nextCursor?: string }>(
        `/v1/segments?level=fine&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      fine.push(...page.items.filter((s) => s.parentId === id));
      if (!(cursor = page.nextCursor)) break;
    }
    expect(fine).toHaveLength(1);
    expect(fine[0]!.quality).not.toBeNull();
  });

  it('reports significant segments and agreement across seeds in the run metrics', () => {
    const m = run.metrics as { significantSegments: number; seedNmi: number | null; segments: number; natural?: { coreTopics: number } };
    const flagged = segments.filter((s) => s.quality?.significant).length;
    expect(m.significantSegments).toBe(flagged);
    expect(m.significantSegments).toBeGreaterThanOrEqual(planted.communitySizes.length);
    expect(m.significantSegments).toBeLessThanOrEqual(m.segments);
    expect(m.seedNmi).toBeGreaterThan(0.8);
    expect(m.natural!.coreTopics).toBeGreaterThan(0);
    expect(segments.filter((s) => s.other).every((s) => s.quality?.significant !== true)).toBe(true);
  });
});
