import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, sleep } from './support/dashboard-seed.js';
import { createAudience, evaluated, holdJobs, JOB_ENV } from './support/audiences.js';
import { parseCsvRows } from '../src/ingest/parse.js';
import { mulberry32 } from '../src/segmentation/random.js';

/**
 * The outcome report recovers a planted effect: after the export, people outside the holdout buy at 48%, the holdout
 * at 40% (+20% relative, +8 points). Purchases before the export (everyone bought then) and by people outside the
 * audience must not count.
 */

const p = randomUUID().slice(0, 8);
const INTEREST = `Birdwatching ${p}`;
const people = Array.from({ length: 700 }, (_, i) => `${p}-b${i}`);
const outsiders = Array.from({ length: 50 }, (_, i) => `${p}-o${i}`);
const HOLDOUT_RATE = 0.4;
const TREATED_RATE = 0.48;

interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Outcome {
  since: string;
  treated: { people: number; buyers: number; purchases: number; revenue: number };
  holdout: { people: number; buyers: number; purchases: number; revenue: number };
  treatedRate: number;
  holdoutRate: number;
  difference: Interval;
  relativeLift: Interval;
  method: string;
}

let t: TestApp;
let marketer: string;
const audiences: string[] = [];

beforeAll(async () => {
  t = await startTestApp(JOB_ENV);
  marketer = await t.keyFor('marketer');
  const monthAgo = new Date(Date.now() - 30 * 86400_000).toISOString();
  await importProfiles(t, t.adminKey, [
    // Everyone bought a month ago: before the export, so it must not count.
    ...people.map((externalId, i) => ({
      externalId,
      interests: [{ topic: INTEREST }],
      purchases: [{ sku: `OLD-${i}`, category: `Binoculars ${p}`, amount: 10, at: monthAgo }],
    })),
    ...outsiders.map((externalId) => ({ externalId, interests: [{ topic: `Darts ${p}` }] })),
  ]);
  await holdJobs(t);
}, 180_000);

afterAll(async () => {
  for (const id of audiences) await t?.call('DELETE', `/v1/audiences/${id}`, { key: marketer });
  await t?.close();
});

describe('outcome report', () => {
  it('needs a holdout and an export', async () => {
    const plain = await createAudience(t, marketer, { name: `No holdout ${p}`, where: { interest: { topic: INTEREST } } });
    audiences.push(plain.id);
    const noHoldout = await t.call('GET', `/v1/audiences/${plain.id}/outcome`, { key: marketer });
    expect(noHoldout.status).toBe(409);
    expect(((await noHoldout.json()) as { type: string }).type).toMatch(/no-holdout$/);
    const held = await createAudience(t, marketer, { name: `Not exported ${p}`, where: { interest: { topic: INTEREST } }, holdoutPercent: 10 });
    audiences.push(held.id);
    const notExported = await t.call('GET', `/v1/audiences/${held.id}/outcome`, { key: marketer });
    expect(notExported.status).toBe(409);
    expect(((await notExported.json()) as { type: string }).type).toMatch(/not-exported$/);
    expect((await t.call('GET', `/v1/audiences/${held.id}/outcome?since=yesterday`, { key: marketer })).status).toBe(400);
  });

  it('recovers a planted +20% purchase effect inside its interval', async () => {
    const a = await createAudience(t, marketer, { name: `Birders ${p}`, where: { interest: { topic: INTEREST } }, holdoutPercent: 50 });
    audiences.push(a.id);
    const ready = await evaluated(t, marketer, a.id);
    expect(ready.members + ready.holdout).toBe(people.length);

    const csv = await t.call('GET', `/v1/audiences/${a.id}/members`, { key: marketer, headers: { accept: 'text/csv' } });
    const exported = new Set(parseCsvRows(await csv.text()).slice(1).map((r) => r.cells[0]!));
    expect(exported.size).toBe(ready.members);
    await sleep(1100); // purchases strictly after the export

    const draw = mulberry32(20261129);
    const now = new Date().toISOString();
    const bought = (ids: string[], rate: (id: string) => number) =>
      ids
        .filter((id) => draw() < rate(id))
        .map((externalId, i) => ({
          externalId,
          interests: [{ topic: externalId.includes('-o') ? `Darts ${p}` : INTEREST }],
          purchases: [{ sku: `NEW-${i}`, category: `Binoculars ${p}`, amount: 25, at: now }],
        }));
    const buyers = [
      ...bought(people, (id) => (exported.has(`crm:${id}`) ? TREATED_RATE : HOLDOUT_RATE)),
      // People outside the audience buy too; they are in neither group.
      ...bought(outsiders, () => 1),
    ];
    await importProfiles(t, t.adminKey, buyers);

    const report = await getJson<Outcome>(t, marketer, `/v1/audiences/${a.id}/outcome`);
    expect(report.method).toBe('newcombe-wilson');
    expect(report.since).toBe((await getJson<{ firstExportedAt: string }>(t, marketer, `/v1/audiences/${a.id}`)).firstExportedAt);
    expect(report.treated.people).toBe(ready.members);
    expect(report.holdout.people).toBe(ready.holdout);
    const planted = buyers.filter((b) => !b.externalId.includes('-o'));
    expect(report.treated.buyers + report.holdout.buyers).toBe(planted.length);
    expect(report.treated.purchases + report.holdout.purchases).toBe(planted.length);
    expect(report.treated.revenue + report.holdout.revenue).toBeCloseTo(planted.length * 25, 6);
    // The planted effect lies inside both intervals, and the estimates are near it.
    expect(report.relativeLift.low).toBeLessThanOrEqual(0.2);
    expect(report.relativeLift.high).toBeGreaterThanOrEqual(0.2);
    expect(report.difference.low).toBeLessThanOrEqual(TREATED_RATE - HOLDOUT_RATE);
    expect(report.difference.high).toBeGreaterThanOrEqual(TREATED_RATE - HOLDOUT_RATE);
    expect(Math.abs(report.treatedRate - TREATED_RATE)).toBeLessThan(0.06);
    expect(Math.abs(report.holdoutRate - HOLDOUT_RATE)).toBeLessThan(0.06);
    expect(report.difference.estimate).toBeCloseTo(report.treatedRate - report.holdoutRate, 5);

    // From a later instant on nobody has bought yet: the same cohort, no buyers.
    const later = await getJson<Outcome>(t, marketer, `/v1/audiences/${a.id}/outcome?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(later.treated.buyers + later.holdout.buyers).toBe(0);
    expect(later.treated.people + later.holdout.people).toBe(people.length);
  });
});
