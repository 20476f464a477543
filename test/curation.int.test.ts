import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { splitData } from './support/curation-data.js';
import { parsed } from './support/parse.js';
import type { z } from 'zod';
import { DecisionListSchema, DecisionSchema } from '../src/curation/schemas.js';
import { RunSchema, SegmentListSchema, SegmentTopicListSchema } from '../src/segmentation/schemas.js';
import { TopicDetailSchema } from '../src/graph/topic-schemas.js';
import { AudiencePageSchema, UserAffinitiesSchema } from '../src/affinity/schemas.js';

/**
 * Curation through the HTTP API over real runs: names and merges show at once, survive later runs (through the
 * lineage of each run's stability report, also when a renamed or merged segment splits), revert, and keep who did
 * what; pins and exclusions change the next run. Curation is global, so everything this file decides is reverted at
 * the end (later files' runs would carry it).
 */
let t: TestApp;
let key: string;
let ingestKey: string;
const prefix = `cu${randomUUID().slice(0, 6)} `;
const data = splitData(prefix, ['Hiking', 'Baking', 'Chess'], ['Sailing', 'Pottery']);
const crm = (externalId: string) => `crm:${externalId}`;

type Decision = z.output<typeof DecisionSchema>;

async function segments() {
  return (await getJson(t, key, '/v1/segments?limit=1000', SegmentListSchema)).items;
}

async function segmentOf(name: string): Promise<string | null> {
  return (await getJson(t, key, `/v1/topics/${encodeURIComponent(topicId(name))}`, TopicDetailSchema)).segmentId;
}

/** The shown segment holding every named topic (fails when they are spread over several). */
async function shownSegmentOf(names: readonly string[]): Promise<string> {
  const ids = new Set<string | null>();
  for (const n of names) ids.add(await segmentOf(n));
  expect([...ids], names.join(', ')).toHaveLength(1);
  const [id] = [...ids];
  expect(id).toBeTruthy();
  return id!;
}

async function decide(body: unknown, status = 201): Promise<Decision> {
  const res = await t.call('POST', '/v1/curation/decisions', { key, body });
  expect(res.status, await res.clone().text()).toBe(status);
  return parsed(res, DecisionSchema);
}

async function run(): Promise<string> {
  const r = await runSegmentation(t, key, 240_000);
  expect(r.status, r.error).toBe('succeeded');
  return r.id;
}

let run1: string;
let hiking: string;
let baking: string;
let sailing: string;
let pottery: string;
let rename: Decision;
let renameTwin: Decision;
let merge: Decision;

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  key = await t.keyFor('marketer');
  ingestKey = await t.keyFor('ingest');
  for (let i = 0; i < data.people.length; i += 500) await importProfiles(t, ingestKey, data.people.slice(i, i + 500));
  run1 = await run();
  hiking = await shownSegmentOf(data.plain.get('Hiking')!);
  baking = await shownSegmentOf(data.plain.get('Baking')!);
  sailing = await shownSegmentOf(data.twins.get('Sailing')!.flat());
  pottery = await shownSegmentOf(data.twins.get('Pottery')!.flat());
  expect(new Set([hiking, baking, sailing, pottery]).size).toBe(4);
}, 400_000);

afterAll(async () => {
  if (t) {
    // Nothing this file decided may reach later files' runs.
    const active = await getJson(t, key, '/v1/curation/decisions?status=active&limit=1000', DecisionListSchema);
    for (const d of active.items) await t.call('POST', `/v1/curation/decisions/${d.id}/revert`, { key });
    await t.close();
  }
});

describe('curation through the API', () => {
  it('renames and merges at once, shown on segments, topics and affinities, with who did it', async () => {
    rename = await decide({ kind: 'rename', segmentId: hiking, label: 'Trail people' });
    expect(rename).toMatchObject({ kind: 'rename', status: 'active', targets: [hiking], targetsRunId: run1, by: { role: 'marketer' } });
    renameTwin = await decide({ kind: 'rename', segmentId: pottery, label: 'Clay crowd' });
    merge = await decide({ kind: 'merge', segmentIds: [sailing, baking], label: 'Weekend makers' });

    const shown = await segments();
    const byId = new Map(shown.map((s) => [s.id, s]));
    expect(byId.get(hiking)).toMatchObject({ label: 'Trail people', curation: { labelSource: 'rename', labelDecisionId: rename.id } });
    expect(byId.get(hiking)!.curation!.autoLabel).not.toBe('Trail people');
    const group = byId.get(sailing)!;
    expect(group).toMatchObject({
      label: 'Weekend makers',
      curation: { grouping: 'curation', members: [sailing, baking], mergeDecisionIds: [merge.id] },
    });
    expect(byId.has(baking)).toBe(false);
    // Topics of the merged-away segment now belong to the group; its page points there.
    expect(await segmentOf(data.plain.get('Baking')![0]!)).toBe(sailing);
    const gone = await t.call('GET', `/v1/segments/${encodeURIComponent(baking)}`, { key });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain(sailing);
    // The group counts the people of both (each person once).
    const before = await getJson(t, key, `/v1/segments/${encodeURIComponent(sailing)}/topics?limit=1000`, SegmentTopicListSchema);
    expect(before.items.map((x) => x.id)).toEqual(
      expect.arrayContaining([topicId(data.plain.get('Baking')![0]!), topicId(data.twins.get('Sailing')![0][0]!)]),
    );
    const groupTopics = new Set([...data.plain.get('Baking')!, ...data.twins.get('Sailing')!.flat()]);
    expect(group.userCount).toBe(data.people.filter((p) => p.interests.some((i) => groupTopics.has(i.topic))).length);
    // A baker's affinities name the group, never the hidden member.
    const aff = await getJson(t, key, `/v1/users/${encodeURIComponent(crm(`${prefix}Baking-0`))}/affinities`, UserAffinitiesSchema);
    expect(aff.segments.map((s) => s.segmentId)).toContain(sailing);
    expect(aff.segments.map((s) => s.segmentId)).not.toContain(baking);
    expect(aff.segments.find((s) => s.segmentId === sailing)!.label).toBe('Weekend makers');

    // Audiences (and saved audiences' rules) naming the merged-away segment mean its group now.
    const total = async (id: string) =>
      (await getJson(t, key, `/v1/segments/${encodeURIComponent(id)}/audience?minAffinity=0.2&limit=1`, AudiencePageSchema)).total;
    expect(await total(baking)).toBe(await total(sailing));

    const history = await getJson(t, key, '/v1/curation/decisions?limit=3', DecisionListSchema);
    expect(history.items.map((d) => d.id)).toEqual([merge.id, renameTwin.id, rename.id]);
    expect(Date.parse(history.items[0]!.at)).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it('refuses decisions that cannot apply, with problem+json and nothing recorded', async () => {
    const count = (await getJson(t, key, '/v1/curation/decisions?limit=1000', DecisionListSchema)).items.length;
    const bad: Array<[unknown, number]> = [
      [{ kind: 'rename', segmentId: 'no-such-segment', label: 'x' }, 404],
      [{ kind: 'rename', segmentId: hiking, label: '' }, 400],
      [{ kind: 'rename', segmentId: hiking, label: 'a\nb' }, 400],
      [{ kind: 'merge', segmentIds: [hiking] }, 400],
      [{ kind: 'merge', segmentIds: [hiking, hiking] }, 400],
      [{ kind: 'merge', segmentIds: [hiking, baking] }, 409],
      [{ kind: 'pin', topicId: 'no-such-topic', segmentId: hiking }, 404],
      [{ kind: 'explode', segmentId: hiking }, 400],
      [{ kind: 'granularity', target: 1 }, 400],
      [{ kind: 'granularity', target: 51 }, 400],
    ];
    for (const [body, status] of bad) {
      const res = await t.call('POST', '/v1/curation/decisions', { key, body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(
      (
        await t.call('POST', '/v1/curation/decisions', {
          key: await t.keyFor('content'),
          body: { kind: 'rename', segmentId: hiking, label: 'x' },
        })
      ).status,
    ).toBe(403);
    expect((await t.call('POST', '/v1/curation/decisions/nope/revert', { key })).status).toBe(404);
    expect((await getJson(t, key, '/v1/curation/decisions?limit=1000', DecisionListSchema)).items).toHaveLength(count);
  });

  it('pins a topic and excludes one from the next run; names and the merge survive it', async () => {
    const pinned = data.plain.get('Chess')![0]!;
    const excluded = data.plain.get('Chess')![1]!;
    await decide({ kind: 'pin', topicId: topicId(pinned), segmentId: hiking });
    await decide({ kind: 'exclude', topicId: topicId(excluded) });
    // More people of the same kinds: the segments keep their ids.
    const more = data.people
      .filter((p) => /(Hiking|Baking)-\d+$/.test(p.externalId))
      .map((p) => ({ ...p, externalId: `${p.externalId}x` }));
    await importProfiles(t, ingestKey, more);
    await run();
    const byId = new Map((await segments()).map((s) => [s.id, s]));
    expect(byId.get(hiking)?.label).toBe('Trail people');
    expect(byId.get(pottery)?.label).toBe('Clay crowd');
    expect(byId.get(sailing)).toMatchObject({ label: 'Weekend makers', curation: { members: [sailing, baking] } });
    expect(byId.has(baking)).toBe(false);
    expect(await segmentOf(pinned)).toBe(hiking);
    expect(await segmentOf(excluded)).toBeNull();
  }, 300_000);

  it('keeps the merge and the name when the segments split, suffixing the name until renamed', async () => {
    // Without the people holding both halves, and with more people holding one, Sailing and Pottery split in two.
    await importProfiles(t, ingestKey, data.halves);
    for (const twin of ['Sailing', 'Pottery']) {
      const ids = data.bridges.get(twin)!;
      for (let i = 0; i < ids.length; i += 20) {
        const answers = await Promise.all(
          ids.slice(i, i + 20).map((id) => t.call('DELETE', `/v1/users/${encodeURIComponent(crm(id))}`, { key: t.adminKey })),
        );
        for (const a of answers) expect(a.status).toBe(204);
      }
    }
    const run3 = await run();
    const stability = (await getJson(t, key, `/v1/segmentation/runs/${run3}`, RunSchema)).metrics!.stability!;
    const sailingParts = stability.split.find((s) => s.id === sailing)?.into ?? [];
    const potteryParts = stability.split.find((s) => s.id === pottery)?.into ?? [];
    expect(sailingParts.length).toBe(2);
    expect(potteryParts.length).toBe(2);

    const shown = await segments();
    const byId = new Map(shown.map((s) => [s.id, s]));
    // The merge holds both parts of Sailing and Baking, under its name.
    const group = shown.find((s) => s.curation?.mergeDecisionIds.includes(merge.id))!;
    expect(group.label).toBe('Weekend makers');
    expect([...group.curation!.members!].sort()).toEqual([...sailingParts, baking].sort());
    const [left, right] = data.twins.get('Sailing')!;
    expect(await segmentOf(left[0]!)).toBe(group.id);
    expect(await segmentOf(right[0]!)).toBe(group.id);
    expect(await segmentOf(data.plain.get('Baking')![0]!)).toBe(group.id);
    // Both parts of the renamed Pottery say so.
    const parts = potteryParts.map((id) => byId.get(id)!);
    expect(parts.map((p) => p.label).sort()).toEqual(['Clay crowd (1)', 'Clay crowd (2)']);
    for (const p of parts)
      expect(p.curation).toMatchObject({
        labelSource: 'inherited',
        labelDecisionId: renameTwin.id,
        labelNote: expect.stringContaining('split'),
      });
    expect(byId.get(hiking)?.label).toBe('Trail people');

    // Renaming one part drops its suffix; the other keeps its own.
    await decide({ kind: 'rename', segmentId: parts[0]!.id, label: 'Wheel throwers' });
    const after = new Map((await segments()).map((s) => [s.id, s]));
    expect(after.get(parts[0]!.id)?.label).toBe('Wheel throwers');
    expect(after.get(parts[1]!.id)?.label).toMatch(/^Clay crowd \(\d\)$/);
  }, 300_000);

  it('reverts a merge: the segments come back on their own, and the history says who reverted it', async () => {
    const res = await t.call('POST', `/v1/curation/decisions/${merge.id}/revert`, { key });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'reverted', revertedBy: { name: 'test marketer' } });
    const byId = new Map((await segments()).map((s) => [s.id, s]));
    expect(byId.get(baking)?.curation ?? null).toBeNull();
    expect(await segmentOf(data.plain.get('Baking')![0]!)).toBe(baking);
    expect((await t.call('POST', `/v1/curation/decisions/${merge.id}/revert`, { key })).status).toBe(409);
    // A later run does not bring it back.
    await run();
    expect(await segmentOf(data.plain.get('Baking')![0]!)).toBe(baking);
    expect((await segments()).find((s) => s.id === hiking)?.label).toBe('Trail people');
  }, 300_000);
});
