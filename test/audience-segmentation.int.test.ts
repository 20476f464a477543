import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { mulberry32 } from '../src/segmentation/random.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { getJson, importProfiles, runSegmentation, sleep } from './support/dashboard-seed.js';
import { createAudience, evaluated, holdJobs, JOB_ENV, members } from './support/audiences.js';

/**
 * Segment any audience through the HTTP API: a planted community ("Quilting") made of three sub-communities, whose
 * people buy its topics, beside other communities. Segmenting the audience of its buyers (a rule over purchases, or
 * the uploaded list of them) finds the three sub-communities as the audience's own segments, and the population's
 * segments, segments of one and runs stay as they were. Some buyers refused marketing or segmentation: the audience's run
 * never reads them. On its own Neo4j: the population's runs and the rule audiences cover everyone in the database.
 */
let db: OwnNeo4j;
let t: TestApp;
let key: string;
const prefix = `as${randomUUID().slice(0, 6)} `;
const rng = mulberry32(11);
const topics = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${name} ${i}`);
const subs = { patchwork: topics('Quilt patchwork', 8), applique: topics('Quilt applique', 8), longarm: topics('Quilt longarm', 8) };
const others = { Gaming: topics('Gaming', 10), Fishing: topics('Fishing', 10) };
const pick = (from: readonly string[], k: number) => {
  const out = new Set<string>();
  while (out.size < k) out.add(from[Math.floor(rng() * from.length)]!);
  return [...out];
};
const at = '2026-10-01T10:00:00Z';

interface Profile {
  externalId: string;
  interests: Array<{ topic: string; weight: number }>;
  purchases: Array<{ sku: string; category: string; amount: number; at: string }>;
  consent?: { segmentation?: boolean; marketing?: boolean };
}
const people: Profile[] = [];
const buyers: string[] = [];
/** Buyers who consent to segmentation and marketing: the only ones an audience's run reads. */
const consenting: string[] = [];
for (const [name, own] of Object.entries(subs)) {
  const rest = Object.values(subs)
    .filter((s) => s !== own)
    .flat();
  for (let i = 0; i < 120; i++) {
    const externalId = `${prefix}${name}-${i}`;
    // Mostly their own kind of quilting, a little of the others (so the population may see one community), a hobby.
    const held = [...pick(own, 4), ...pick(rest, 1), ...pick(Object.values(others)[i % 2]!, 1)];
    const bought = held[0]!;
    // One in 40 refused marketing only, another one in 40 segmentation (and so every purpose).
    const consent = i % 40 === 7 ? { segmentation: true, marketing: false } : i % 40 === 13 ? { segmentation: false } : undefined;
    people.push({
      externalId,
      interests: held.slice(1).map((topic) => ({ topic, weight: 1 })),
      purchases: [{ sku: `${prefix}sku-${i}`, category: bought, amount: 30, at }],
      ...(consent ? { consent } : {}),
    });
    buyers.push(externalId);
    if (!consent) consenting.push(externalId);
  }
}
for (const [name, own] of Object.entries(others)) {
  for (let i = 0; i < 150; i++)
    people.push({ externalId: `${prefix}${name}-${i}`, interests: pick(own, 4).map((topic) => ({ topic, weight: 1 })), purchases: [] });
}
const quiltTopics = Object.values(subs).flat();
/** The buyers' audience: anyone who bought a quilting topic (any of 24 conditions, grouped by 8). */
const buyersRule = { any: Object.values(subs).map((ts) => ({ any: ts.map((topic) => ({ purchased: { topic } })) })) };

interface AudienceRun {
  id: string;
  status: string;
  error?: string;
  audience: Record<string, unknown>;
  metrics?: { users: number };
  segments: Array<{ id: string; label: string; other: boolean; userCount: number; topicCount: number }>;
}

async function finished(id: string): Promise<AudienceRun> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const run = await getJson<AudienceRun>(t, key, `/v1/audiences/segmentation/${id}`);
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`audience run ${id} still ${run.status}`);
    await sleep(500);
  }
}

async function start(body: unknown): Promise<{ id: string; users: number; unresolved: string[]; unresolvedCount: number }> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const res = await t.call('POST', '/v1/audiences/segmentation', { key, body });
    if (res.status === 409 && Date.now() < deadline) {
      await sleep(500);
      continue;
    }
    expect(res.status, await res.clone().text()).toBe(202);
    return (await res.json()) as { id: string; users: number; unresolved: string[]; unresolvedCount: number };
  }
}

async function topicsOf(runId: string, segmentId: string): Promise<string[]> {
  const page = await getJson<{ items: Array<{ id: string }> }>(
    t,
    key,
    `/v1/audiences/segmentation/${runId}/segments/${encodeURIComponent(segmentId)}/topics?limit=1000`,
  );
  return page.items.map((x) => x.id);
}

let population: { runId: string; items: unknown[] };

beforeAll(async () => {
  // The saved-audience evaluator runs here: a saved audience is segmented from its evaluated members.
  db = await startOwnNeo4j();
  t = await startTestApp({ ...JOB_ENV, ...db.env }, { applySchema: true, worker: 'process' });
  key = await t.keyFor('marketer');
  await holdJobs(t);
  await importProfiles(t, await t.keyFor('ingest'), people);
  const run = await runSegmentation(t, key, 240_000);
  expect(run.status, run.error).toBe('succeeded');
  population = await getJson(t, key, '/v1/segments?limit=1000');
}, 400_000);

afterAll(async () => {
  await t?.close();
  await db?.stop();
});

describe('segmenting an audience through the API', () => {
  let byRule: AudienceRun;

  it("finds the buyers' sub-communities as the audience's own segments", async () => {
    const queued = await start({ audience: { where: buyersRule } });
    // A rule's audience holds only people consenting to marketing (as every audience does).
    expect(queued).toMatchObject({ users: consenting.length, unresolved: [], unresolvedCount: 0 });
    byRule = await finished(queued.id);
    expect(byRule.status, byRule.error).toBe('succeeded');
    expect(byRule.audience).toMatchObject({ where: buyersRule, users: consenting.length });
    expect(byRule.metrics!.users).toBe(consenting.length);
    const segments = byRule.segments.filter((s) => !s.other);
    const found = new Set<string>();
    for (const [name, own] of Object.entries(subs)) {
      const ids = new Set(own.map(topicId));
      let best: { id: string; mine: number; size: number } | undefined;
      for (const s of segments) {
        const ts = await topicsOf(byRule.id, s.id);
        const mine = ts.filter((x) => ids.has(x)).length;
        if (!best || mine > best.mine) best = { id: s.id, mine, size: ts.filter((x) => quiltTopics.some((q) => topicId(q) === x)).length };
      }
      // Most of the sub-community's topics in one segment, and that segment's quilting topics mostly its own.
      expect(best!.mine, name).toBeGreaterThanOrEqual(6);
      expect(best!.mine / best!.size, name).toBeGreaterThanOrEqual(0.75);
      found.add(best!.id);
    }
    expect(found.size).toBe(3);
    // Every segment is of the buyers only.
    for (const s of segments) expect(s.userCount).toBeLessThanOrEqual(buyers.length);
  }, 300_000);

  it("leaves the population's segments, segments of one and visible run as they were", async () => {
    expect(await getJson(t, key, '/v1/segments?limit=1000')).toEqual(population);
    const aff = await getJson<{ runId: string; segments: Array<{ segmentId: string }> }>(
      t,
      key,
      `/v1/users/${encodeURIComponent(`crm:${buyers[0]}`)}/affinities`,
    );
    expect(aff.runId).toBe(population.runId);
    const own = new Set(byRule.segments.map((s) => s.id));
    const shown = new Set((population.items as Array<{ id: string }>).map((s) => s.id));
    for (const s of aff.segments) expect(shown.has(s.segmentId) || !own.has(s.segmentId)).toBe(true);
    const run = await getJson<{ kind: string; publish: boolean; visible: boolean }>(t, key, `/v1/segmentation/runs/${byRule.id}`);
    expect(run).toMatchObject({ kind: 'audience', publish: false, visible: false });
    // Not a candidate: absent from the population's runs, never published nor compared with the visible run.
    const runs = await getJson<{ items: Array<{ id: string; kind: string }> }>(t, key, '/v1/segmentation/runs?limit=100');
    expect(runs.items.map((r) => r.id)).not.toContain(byRule.id);
    expect(runs.items.every((r) => r.kind === 'segmentation')).toBe(true);
    for (const [method, path] of [
      ['POST', `/v1/segmentation/runs/${byRule.id}/publish`],
      ['GET', `/v1/segmentation/runs/${byRule.id}/compare`],
    ] as const) {
      const res = await t.call(method, path, { key: t.adminKey });
      expect(res.status, path).toBe(409);
      expect(((await res.json()) as { type: string }).type).toMatch(/audience-run$/);
    }
    expect(await getJson(t, key, '/v1/segments?limit=1000')).toEqual(population);
    // The population's next run is compared with the population's run, not with the audience's.
    const next = await runSegmentation(t, key, 240_000);
    const stability = (await getJson<{ metrics: { stability: { previousRunId: string } } }>(t, key, `/v1/segmentation/runs/${next.id}`))
      .metrics.stability;
    expect(stability.previousRunId).toBe(population.runId);
  }, 300_000);

  it('segments an uploaded list of people, reporting the references that name nobody', async () => {
    const refs = [...buyers.map((b) => `crm:${b}`), `crm:${prefix}nobody-1`, `crm:${prefix}nobody-2`];
    const queued = await start({ audience: { users: refs } });
    // Every buyer is found; the run reads only those consenting to segmentation and marketing.
    expect(queued).toMatchObject({ users: buyers.length, unresolvedCount: 2 });
    expect(queued.unresolved.sort()).toEqual([`crm:${prefix}nobody-1`, `crm:${prefix}nobody-2`]);
    const run = await finished(queued.id);
    expect(run.status, run.error).toBe('succeeded');
    expect(run.metrics!.users).toBe(consenting.length);
    expect(run.segments.filter((s) => !s.other).length).toBeGreaterThanOrEqual(3);
  }, 300_000);

  it('segments a saved audience: its members outside the holdout', async () => {
    const saved = await createAudience(t, key, { name: `${prefix}quilt buyers`, where: buyersRule, holdoutPercent: 20 });
    await evaluated(t, key, saved.id);
    const reached = await members(t, key, saved.id);
    expect(reached.length).toBeLessThan(buyers.length);
    const queued = await start({ audience: { savedAudienceId: saved.id } });
    expect(queued.users).toBe(reached.length);
    const run = await finished(queued.id);
    expect(run.status, run.error).toBe('succeeded');
    expect(run.audience).toMatchObject({ savedAudienceId: saved.id, users: reached.length });
    expect(
      (await t.call('POST', '/v1/audiences/segmentation', { key, body: { audience: { savedAudienceId: 'no-such-audience' } } })).status,
    ).toBe(404);
  }, 300_000);

  it('refuses audiences it cannot segment with problem+json', async () => {
    const cases: Array<[unknown, number]> = [
      [{ audience: { users: [] } }, 400],
      [{ audience: {} }, 400],
      [{ audience: { users: ['crm:x'], where: buyersRule } }, 400],
      [{ audience: { users: ['crm:a\nb'] } }, 400],
      [{ audience: { users: buyers.slice(0, 3).map((b) => `crm:${b}`) } }, 422],
      [{ audience: { where: { segment: 'no-such-segment' } } }, 404],
      [{ audience: { where: buyersRule }, params: { resolution: -1 } }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await t.call('POST', '/v1/audiences/segmentation', { key, body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(
      (await t.call('POST', '/v1/audiences/segmentation', { key: await t.keyFor('content'), body: { audience: { where: buyersRule } } }))
        .status,
    ).toBe(403);
    expect((await t.call('GET', `/v1/audiences/segmentation/${population.runId}`, { key })).status).toBe(404);
    expect((await t.call('GET', '/v1/audiences/segmentation/nope', { key })).status).toBe(404);
  });

  // Last: the mark applies to the population too.
  it('leaves sensitive topics out of an audience run, and out of what earlier ones show', async () => {
    const marked = topicId(subs.patchwork[0]!);
    expect((await t.call('PUT', `/v1/sensitive-topics/topics/${marked}`, { key: t.adminKey })).status).toBe(200);
    // The buyers' rule names it (a purchase condition): refused as in every audience rule.
    const refused = await t.call('POST', '/v1/audiences/segmentation', { key, body: { audience: { where: buyersRule } } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { type: string }).type).toMatch(/sensitive-topic$/);

    const queued = await start({ audience: { users: buyers.map((b) => `crm:${b}`) } });
    const run = await finished(queued.id);
    expect(run.status, run.error).toBe('succeeded');
    for (const r of [run, await getJson<AudienceRun>(t, key, `/v1/audiences/segmentation/${byRule.id}`)]) {
      for (const s of r.segments) {
        expect(await topicsOf(r.id, s.id)).not.toContain(marked);
        expect((s as unknown as { topTopics: Array<{ id: string }> }).topTopics.map((x) => x.id)).not.toContain(marked);
      }
    }
  }, 300_000);
});
