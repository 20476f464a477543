import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { getJson, importProfiles, sleep } from './support/dashboard-seed.js';
import { createAudience, evaluated, holdJobs, JOB_ENV } from './support/audiences.js';
import { parseCsvRows } from '../src/ingest/csv-rows.js';
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
    const held = await createAudience(t, marketer, {
      name: `Not exported ${p}`,
      where: { interest: { topic: INTEREST } },
      holdoutPercent: 10,
    });
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
    const exported = new Set(
      parseCsvRows(await csv.text())
        .slice(1)
        .map((r) => r.cells[0]!),
    );
    expect(exported.size).toBe(ready.members);
    await sleep(1100); // purchases strictly after the export

    // Exactly the planted share of each group buys (which of them: a seeded shuffle). The truth is then known, and the
    // test does not hang on a random draw landing inside a 95% interval (a draw misses it 1 time in 20).
    const draw = mulberry32(20261129);
    const shuffled = (ids: string[]) => {
      const out = [...ids];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(draw() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const treated = people.filter((id) => exported.has(`crm:${id}`));
    const held = people.filter((id) => !exported.has(`crm:${id}`));
    const treatedBuyers = shuffled(treated).slice(0, Math.round(TREATED_RATE * treated.length));
    const heldBuyers = shuffled(held).slice(0, Math.round(HOLDOUT_RATE * held.length));
    const now = new Date().toISOString();
    // People outside the audience buy too; they are in neither group.
    const buyers = [...treatedBuyers, ...heldBuyers, ...outsiders].map((externalId, i) => ({
      externalId,
      interests: [{ topic: externalId.includes('-o') ? `Darts ${p}` : INTEREST }],
      purchases: [{ sku: `NEW-${i}`, category: `Binoculars ${p}`, amount: 25, at: now }],
    }));
    await importProfiles(t, t.adminKey, buyers);
    const plantedTreated = treatedBuyers.length / treated.length;
    const plantedHoldout = heldBuyers.length / held.length;

    const report = await getJson<Outcome>(t, marketer, `/v1/audiences/${a.id}/outcome`);
    expect(report.method).toBe('newcombe-wilson');
    expect(report.since).toBe((await getJson<{ firstExportedAt: string }>(t, marketer, `/v1/audiences/${a.id}`)).firstExportedAt);
    expect(report.treated.people).toBe(ready.members);
    expect(report.holdout.people).toBe(ready.holdout);
    const planted = treatedBuyers.length + heldBuyers.length;
    expect(report.treated.buyers).toBe(treatedBuyers.length);
    expect(report.holdout.buyers).toBe(heldBuyers.length);
    expect(report.treated.purchases + report.holdout.purchases).toBe(planted);
    expect(report.treated.revenue + report.holdout.revenue).toBeCloseTo(planted * 25, 6);
    // The report rounds to 6 digits.
    expect(report.treatedRate).toBeCloseTo(plantedTreated, 5);
    expect(report.holdoutRate).toBeCloseTo(plantedHoldout, 5);
    // The planted effect (+20% relative, +8 points) lies inside both intervals...
    expect(report.relativeLift.low).toBeLessThanOrEqual(0.2);
    expect(report.relativeLift.high).toBeGreaterThanOrEqual(0.2);
    expect(report.difference.low).toBeLessThanOrEqual(TREATED_RATE - HOLDOUT_RATE);
    expect(report.difference.high).toBeGreaterThanOrEqual(TREATED_RATE - HOLDOUT_RATE);
    expect(report.relativeLift.estimate).toBeCloseTo(plantedTreated / plantedHoldout - 1, 5);
    // ...and the intervals are as narrow as ~350 people per group allow (about ±7.5 points, ±0.21 relative), not [-1, 1].
    expect(report.difference.high - report.difference.low).toBeLessThan(0.2);
    expect(report.relativeLift.high - report.relativeLift.low).toBeLessThan(0.6);
    expect(report.difference.estimate).toBeCloseTo(report.treatedRate - report.holdoutRate, 5);

    // From a later instant on nobody has bought yet: the same cohort, no buyers.
    const later = await getJson<Outcome>(
      t,
      marketer,
      `/v1/audiences/${a.id}/outcome?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(later.treated.buyers + later.holdout.buyers).toBe(0);
    expect(later.treated.people + later.holdout.people).toBe(people.length);
  });
});
