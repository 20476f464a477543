import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { browserWithPage, type PageWatch } from './support/browser.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic } from './support/dashboard-seed.js';
import { holdJobs, JOB_ENV, until, type SavedAudience } from './support/audiences.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Saved audiences in the dashboard, in headless Chromium against the real app: a marketer saves a segment audience
 * with a holdout, watches it fill, adds a webhook destination (the secret shown once, the backfill delivered), exports
 * it as CSV and reads the outcome against the holdout — the figures the API reports.
 */

const p = `aud${randomUUID().slice(0, 8)}`;
const rowing = ['Rowing', 'Regattas', 'Ergometers', 'Boathouses'].map((n) => `${p} ${n}`);
const chess = ['Openings', 'Endgames', 'Blitz', 'Tournaments'].map((n) => `${p} ${n}`);
const rowers = Array.from({ length: 30 }, (_, i) => `${p}-r${i}`);
const players = Array.from({ length: 8 }, (_, i) => `${p}-c${i}`);

let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;
let marketer: string;
let receiver: WebhookReceiver;
let rowingSegment: { segmentId: string; label: string };
let audienceId: string | undefined;

beforeAll(async () => {
  t = await startTestApp(JOB_ENV, { worker: 'process' });
  marketer = await t.keyFor('marketer');
  await importProfiles(t, t.adminKey, [
    ...rowers.map((externalId) => ({ externalId, interests: rowing.map((topic) => ({ topic, weight: 1 })) })),
    ...players.map((externalId) => ({ externalId, interests: chess.map((topic) => ({ topic, weight: 1 })) })),
  ]);
  await runSegmentation(t, t.adminKey);
  rowingSegment = await segmentOfTopic(t, marketer, rowing[0]!);
  receiver = await new WebhookReceiver().start();
  await holdJobs(t);
  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
  await page.goto('/');
  await page.getByLabel('API key').fill(marketer);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Segments' }).waitFor();
});

afterAll(async () => {
  if (audienceId) await t?.call('DELETE', `/v1/audiences/${audienceId}`, { key: marketer });
  await browser?.close();
  await receiver?.close();
  await t?.close();
});

describe('saved audiences in the dashboard', () => {
  it('saves a segment audience with a holdout and shows it fill', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audiences' }).click();
    await page.getByRole('heading', { level: 1, name: 'Saved audiences' }).waitFor();
    await page.getByLabel('Name').fill(`Rowers ${p}`);
    await page.getByLabel('Segment').selectOption({ label: rowingSegment.label });
    await page.getByLabel('Minimum affinity (%)').fill('50');
    await page.getByLabel('Holdout (%)').fill('20');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`Rowers ${p}`) }).waitFor();
    audienceId = decodeURIComponent(/#\/audiences\/(.+)$/.exec(page.url())![1]!);
    const api = await until(
      () => getJson<SavedAudience>(t, marketer, `/v1/audiences/${audienceId}`),
      (a) => a.evaluation.status === 'current',
      30_000,
    );
    expect(api.members + api.holdout).toBe(rowers.length);
    await page
      .locator('#audience-summary')
      .filter({ hasText: `${api.members} members` })
      .waitFor();
    expect(await page.locator('#audience-summary').textContent()).toContain(`${api.holdout} in the holdout (20%)`);
    await page.getByText('up to date').waitFor();
    expect(await page.locator('pre').textContent()).toContain(rowingSegment.segmentId);
  });

  it('adds a destination, shows its secret once and its deliveries', async () => {
    await page.getByLabel('Webhook URL').fill(`${receiver.base}/dash`);
    await page.getByRole('button', { name: 'Add destination' }).click();
    const secret = (await page.locator('#destination-secret-value').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const api = await getJson<SavedAudience>(t, marketer, `/v1/audiences/${audienceId}`);
    await until(
      async () => receiver.accepted('/dash').length,
      (n) => n === api.members,
      20_000,
      'backfill delivered',
    );
    const row = page
      .getByRole('table', { name: 'Destinations' })
      .getByRole('row')
      .filter({ hasText: `${receiver.base}/dash` });
    await row.filter({ hasText: /delivered \d+ events?/ }).waitFor();
    // The secret is shown once: not in the list the page reads again.
    const listed = await t.call('GET', `/v1/audiences/${audienceId}/destinations`, { key: marketer });
    expect(await listed.text()).not.toContain(secret);
  });

  it('exports the members outside the holdout as CSV and reports the outcome against the holdout', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('user,enteredAt');
    const api = await getJson<SavedAudience>(t, marketer, `/v1/audiences/${audienceId}`);
    expect(lines.slice(1)).toHaveLength(api.members);
    // Someone exported buys after the export.
    const buyer = lines[1]!.split(',')[0]!.replace(/^crm:/, '');
    await importProfiles(t, t.adminKey, [
      {
        externalId: buyer,
        interests: rowing.map((topic) => ({ topic, weight: 1 })),
        purchases: [{ sku: `OAR-${p}`, category: rowing[0]!, amount: 120, at: new Date(Date.now() + 1000).toISOString() }],
      },
    ]);
    const outcome = await getJson<{ treated: { people: number; buyers: number }; holdout: { people: number } }>(
      t,
      marketer,
      `/v1/audiences/${audienceId}/outcome`,
    );
    expect(outcome.treated.buyers).toBe(1);
    const table = page.getByRole('table', { name: 'Outcome' });
    await table.waitFor();
    // The page refreshes every few seconds: the buyer shows up in the exported group.
    const exportedCells = await until(
      () => table.getByRole('row').filter({ hasText: 'Exported' }).getByRole('cell').allTextContents(),
      (c) => c[1] === '1',
      15_000,
      'outcome on the page',
    );
    expect(exportedCells[0]).toBe(String(outcome.treated.people));
    const holdoutCells = await table.getByRole('row').filter({ hasText: 'Holdout' }).getByRole('cell').allTextContents();
    expect(holdoutCells[0]).toBe(String(outcome.holdout.people));
    expect(await page.locator('#outcome-difference').textContent()).toMatch(/95% interval/);
    expect(w.errors).toEqual([]);
  });

  it('lists the saved audience with its size and destinations', async () => {
    await page.getByRole('link', { name: '← All saved audiences' }).click();
    const row = page
      .getByRole('table', { name: 'Saved audiences' })
      .getByRole('row')
      .filter({ hasText: `Rowers ${p}` });
    await row.waitFor();
    const api = await getJson<SavedAudience>(t, marketer, `/v1/audiences/${audienceId}`);
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[0]).toBe(String(api.members));
    expect(cells[1]).toBe(`${api.holdout} (20%)`);
    expect(cells[2]).toBe('1');
    expect(w.errors).toEqual([]);
  });
});
