import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { browserWithPage, type PageWatch } from './support/browser.js';
import { getJson, importProfiles, runSegmentation, sleep } from './support/dashboard-seed.js';

/**
 * The runs page in headless Chromium: a marketer sets the refresh policy, starts a candidate run, compares it with the
 * visible run and publishes it. What the page shows is checked against the API.
 */

const p = `dashr${randomUUID().slice(0, 8)}`;
const running = ['Trail running', 'Marathon training', 'Running shoes', 'Ultra trail'].map((n) => `${p} ${n}`);
const jazz = ['Jazz clubs', 'Vinyl records', 'Live concerts', 'Saxophone'].map((n) => `${p} ${n}`);
const chess = ['Chess openings', 'Endgames', 'Blitz', 'Chess clubs'].map((n) => `${p} ${n}`);
const person = (id: string, topics: string[]) => ({ externalId: id, interests: topics.map((topic) => ({ topic, weight: 2 })) });

let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;
let marketerKey: string;

interface Comparison {
  nmi: number | null;
  appeared: string[];
  vanished: string[];
  people: { compared: number; dominantChanged: number };
}

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'in-process' });
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, t.adminKey, [
    ...[1, 2, 3, 4, 5].map((i) => person(`${p}-r${i}`, running)),
    ...[1, 2, 3, 4, 5].map((i) => person(`${p}-j${i}`, jazz)),
  ]);
  await runSegmentation(t, t.adminKey);
  // A new community after the visible run: the candidate has a segment the visible run has not.
  await importProfiles(
    t,
    t.adminKey,
    [1, 2, 3, 4, 5].map((i) => person(`${p}-c${i}`, chess)),
  );
  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
  await page.goto('/');
  await page.getByLabel('API key').fill(marketerKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Segments' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  if (t) await t.call('PUT', '/v1/segmentation/refresh-policy', { key: marketerKey, body: { schedule: null, driftThreshold: null } });
  await t?.close();
});

describe('dashboard: refresh policy and candidate runs', () => {
  it('shows and changes the refresh policy', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    const card = page.getByRole('region', { name: 'Refresh policy' });
    await card.waitFor();
    const status = card.getByRole('definition');
    expect(await status.nth(0).textContent()).toBe('no schedule');
    await page.getByLabel('Schedule (cron)').fill('0 3 * * *');
    await page.getByLabel('Drift threshold (%)').fill('5');
    await page.getByLabel('Triggered runs wait for review (candidates)').check();
    await page.getByRole('button', { name: 'Save refresh policy' }).click();
    await status
      .nth(2)
      .filter({ hasText: /^5(\.0)?%$/ })
      .waitFor();
    const policy = await getJson<{
      schedule: string;
      driftThreshold: number;
      run: { publish: boolean };
      nextRunAt: string;
      drift: { share: number };
    }>(t, marketerKey, '/v1/segmentation/refresh-policy');
    expect(policy).toMatchObject({ schedule: '0 3 * * *', driftThreshold: 0.05, run: { publish: false } });
    expect(await status.nth(0).textContent()).toBe(new Date(policy.nextRunAt).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC');
    expect(await status.nth(1).textContent()).toMatch(/^\d+(\.\d)?% \(/);
    // A schedule croner refuses: the server's message, and the stored policy is unchanged.
    await page.getByLabel('Schedule (cron)').fill('every night');
    await page.getByRole('button', { name: 'Save refresh policy' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /schedule/i })
      .waitFor();
    expect((await getJson<{ schedule: string }>(t, marketerKey, '/v1/segmentation/refresh-policy')).schedule).toBe('0 3 * * *');
  });

  it('starts a candidate, compares it with the visible run and publishes it', async () => {
    const visible = (await getJson<{ runId: string }>(t, marketerKey, '/v1/segments')).runId;
    await page.getByLabel('Candidate (publish after review)').check();
    await page.getByRole('button', { name: 'Start a run with these settings' }).click();
    await page.locator('#run-status[data-status="succeeded"]').waitFor({ timeout: 90_000 });
    const runs = await getJson<{ items: Array<{ id: string; publish: boolean; visible: boolean }> }>(
      t,
      marketerKey,
      '/v1/segmentation/runs?limit=1',
    );
    const candidate = runs.items[0]!;
    expect(candidate).toMatchObject({ publish: false, visible: false });
    expect((await getJson<{ runId: string }>(t, marketerKey, '/v1/segments')).runId).toBe(visible);

    const row = page.getByRole('table', { name: 'Segmentation runs' }).getByRole('row').filter({ hasText: candidate.id });
    await row.getByText('candidate').waitFor();
    await row.getByRole('button', { name: 'Compare' }).click();
    const card = page.getByRole('region', { name: `Comparison of run ${candidate.id} with the visible run` });
    await card.waitFor();
    const api = await getJson<Comparison>(t, marketerKey, `/v1/segmentation/runs/${candidate.id}/compare`);
    expect(api.appeared.length).toBeGreaterThan(0);
    const text = await card.textContent();
    expect(text).toContain(`NMI ${api.nmi!.toFixed(3)} · ${api.appeared.length} appeared · ${api.vanished.length} vanished`);
    const n = (x: number) => new Intl.NumberFormat('en').format(x);
    expect(text).toContain(`${n(api.people.dominantChanged)} of ${n(api.people.compared)} people`);
    for (const id of api.appeared) expect(text).toContain(id);

    await card.getByRole('button', { name: 'Publish this run' }).click();
    await page
      .getByRole('table', { name: 'Segmentation runs' })
      .getByRole('row')
      .filter({ hasText: candidate.id })
      .getByText('visible')
      .waitFor();
    const deadline = Date.now() + 10_000;
    while ((await getJson<{ runId: string }>(t, marketerKey, '/v1/segments')).runId !== candidate.id && Date.now() < deadline)
      await sleep(200);
    expect((await getJson<{ runId: string }>(t, marketerKey, '/v1/segments')).runId).toBe(candidate.id);
    expect(w.errors).toEqual([]);
    // The signed-out probe before signing in, and the schedule the first test had refused.
    expect(w.failedResponses.sort()).toEqual(['400 PUT /v1/segmentation/refresh-policy', '401 GET /v1/me']);
  });
});
