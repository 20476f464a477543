import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { browserWithPage, openPage, signIn, type PageWatch } from './support/browser.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic, sleep } from './support/dashboard-seed.js';
import type { Insight } from '../src/insight/insight-service.js';

/**
 * The dashboard's insight, comparison and report views in headless Chromium against the real app (one browser for
 * the file). Two planted groups plus people mixing them, on the shared database: the page must show what the API
 * answers.
 */

const p = `dins${randomUUID().slice(0, 8)}`;
const hiking = ['Hiking boots', 'Alpine huts', 'Trail maps', 'Summit photos'].map((n) => `${p} ${n}`);
const opera = ['Opera houses', 'Sopranos', 'Librettos', 'Arias'].map((n) => `${p} ${n}`);
const interest = (topic: string, category: string, weight = 2) => ({ topic, category, weight, at: '2026-10-01T10:00:00Z' });

let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;
let marketer: string;
let hikingSeg: { segmentId: string; label: string };
let operaSeg: { segmentId: string; label: string };

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  marketer = await t.keyFor('marketer');
  await importProfiles(t, t.adminKey, [
    ...Array.from({ length: 12 }, (_, i) => ({
      externalId: `${p}-h${i}`,
      interests: hiking.filter((_, k) => k !== i % 4).map((n) => interest(n, 'Outdoors')),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      externalId: `${p}-o${i}`,
      interests: opera.filter((_, k) => k !== i % 4).map((n) => interest(n, 'Music')),
    })),
    // Four people in both groups, each with another pair of topics: no pair is shared by two people (the minimum support
    // of an edge), so no link joins the two groups, whatever else is in the shared database.
    ...Array.from({ length: 4 }, (_, i) => ({
      externalId: `${p}-m${i}`,
      interests: [interest(hiking[i]!, 'Outdoors', 1), interest(opera[i]!, 'Music', 3)],
    })),
  ]);
  await runSegmentation(t, t.adminKey);
  hikingSeg = await segmentOfTopic(t, marketer, hiking[0]!);
  operaSeg = await segmentOfTopic(t, marketer, opera[0]!);
  expect(hikingSeg.segmentId).not.toBe(operaSeg.segmentId);
  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
  await signIn(page, marketer);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('insight in the dashboard', () => {
  it("shows a segment's over-indexed topics, categories and top people as the API reports them", async () => {
    await page.goto(`/#/segments/${encodeURIComponent(hikingSeg.segmentId)}`);
    const box = page.locator('#insight[data-state="done"]');
    await box.waitFor();
    // The page asks at its default threshold (20%); so does this.
    const api = await getJson<Insight>(t, marketer, `/v1/segments/${hikingSeg.segmentId}/insight?minAffinity=0.2`);
    expect(Number(await page.locator('#insight-size').getAttribute('data-size'))).toBe(api.size);
    expect(Number(await page.locator('#insight-size').getAttribute('data-population'))).toBe(api.population);
    const rows = page.getByRole('table', { name: 'Over-indexed topics' }).locator('tbody tr');
    expect(await rows.count()).toBe(api.topics.length);
    const first = await rows.nth(0).locator('td').allTextContents();
    expect(first[0]).toBe(api.topics[0]!.name);
    expect(first[2]).toBe(String(api.topics[0]!.members));
    expect(first[5]).toBe(api.topics[0]!.lift.toFixed(2));
    // Other files' people share the database, so only the order is certain: the group's own topics first.
    expect(hiking).toContain(api.topics[0]!.name);
    const cats = await page.getByRole('table', { name: 'Top categories' }).locator('tbody tr td:first-child').allTextContents();
    expect(cats).toEqual(api.categories.map((c) => c.name));
    const people = await page.getByRole('list', { name: 'Highest affinity' }).getByRole('link').allTextContents();
    expect(people).toEqual(api.topPeople.map((x) => x.user));

    // A higher threshold narrows the audience: the insight follows the slider.
    await page.getByLabel('Minimum affinity').fill('0.9');
    await page.locator('#audience-size[data-state="done"]').filter({ hasText: '90%' }).waitFor();
    const narrow = await getJson<Insight>(t, marketer, `/v1/segments/${hikingSeg.segmentId}/insight?minAffinity=0.9`);
    await page.locator(`#insight-size[data-size="${narrow.size}"]`).waitFor();
    expect(narrow.size).toBe(12);
    expect(w.errors).toEqual([]);
  });

  it('compares two segments side by side from the segment page', async () => {
    await page.goto(`/#/segments/${encodeURIComponent(hikingSeg.segmentId)}`);
    await page.getByLabel('Compare with').selectOption(operaSeg.segmentId);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('#comparison[data-state="done"]').waitFor();
    const res = await t.call('POST', '/v1/audiences/compare', {
      key: marketer,
      body: { a: { segment: hikingSeg.segmentId, minAffinity: 0 }, b: { segment: operaSeg.segmentId, minAffinity: 0 } },
    });
    const api = (await res.json()) as {
      a: { size: number };
      b: { size: number };
      overlap: { people: number };
      topicsA: Array<{ name: string; lift: number }>;
      topicsB: Array<{ name: string }>;
    };
    // The four people mixing both are the overlap.
    expect(api.overlap.people).toBe(4);
    expect(Number(await page.locator('#overlap').getAttribute('data-people'))).toBe(4);
    expect(Number(await page.locator('#side-a').getAttribute('data-size'))).toBe(api.a.size);
    expect(Number(await page.locator('#side-b').getAttribute('data-size'))).toBe(api.b.size);
    const namesA = await page.locator('#topics-a tbody tr td:first-child').allTextContents();
    const namesB = await page.locator('#topics-b tbody tr td:first-child').allTextContents();
    expect(namesA).toEqual(api.topicsA.map((x) => x.name));
    expect(namesB).toEqual(api.topicsB.map((x) => x.name));
    expect(namesA.sort()).toEqual([...hiking].sort());
    expect(namesB.sort()).toEqual([...opera].sort());

    // Thresholds from the form: the mixers (25% hiking) leave A at 50%.
    await page.getByLabel('min. affinity').first().fill('0.5');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('#overlap[data-people="0"]').waitFor();
    expect(page.url()).toContain(`#/compare/${encodeURIComponent(hikingSeg.segmentId)}/${encodeURIComponent(operaSeg.segmentId)}`);
    expect(w.errors).toEqual([]);
  });

  it('downloads the report as a PDF, and shares it: the link opens it read-only without a key until revoked', async () => {
    await page.goto(`/#/segments/${encodeURIComponent(hikingSeg.segmentId)}`);
    await page.locator('#insight[data-state="done"]').waitFor();
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(pdf.suggestedFilename()).toMatch(/^report-.+\.pdf$/);
    expect((await readFile((await pdf.path())!)).subarray(0, 5).toString()).toBe('%PDF-');
    await page
      .locator('#report-status')
      .filter({ hasText: /Downloaded report-/ })
      .waitFor();

    await page.getByRole('button', { name: 'Create share link' }).click();
    const url = await page.locator('#share-url').inputValue();
    expect(url).toMatch(new RegExp(`^${t.baseUrl}/#/shared/nss_`));

    // Someone else's browser: no key anywhere, only the link.
    const reader = await openPage(browser, t.baseUrl);
    try {
      await reader.page.goto(url);
      await reader.page.locator('#report[data-state="ready"]').waitFor();
      expect(await reader.page.getByRole('heading', { level: 1 }).textContent()).toBe(hikingSeg.label);
      const api = await getJson<Insight>(t, marketer, `/v1/segments/${hikingSeg.segmentId}/insight?minAffinity=0.2`);
      expect(Number(await reader.page.locator('#insight-size').getAttribute('data-size'))).toBe(api.size);
      const names = await reader.page
        .getByRole('table', { name: 'Over-indexed topics' })
        .locator('tbody tr td:first-child')
        .allTextContents();
      expect(names).toEqual(api.topics.map((x) => x.name));
      expect(await reader.page.locator('#nav').isHidden()).toBe(true);
      expect(await reader.page.evaluate(() => sessionStorage.getItem('ns.apiKey'))).toBeNull();
      // Nothing else opens: another view leads back to the report.
      await reader.page.evaluate(() => (location.hash = '#/segments'));
      await reader.page.waitForFunction(() => location.hash.startsWith('#/shared/'));
      await reader.page.locator('#report[data-state="ready"]').waitFor();

      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.locator('#share-state[data-state="revoked"]').waitFor();
      await reader.page.reload();
      await reader.page.locator('#report[data-state="refused"]').waitFor();
      expect(await reader.page.locator('#refusal').textContent()).toMatch(/revoked/);
      expect(reader.errors).toEqual([]);
      expect(new Set(reader.failedResponses)).toEqual(new Set(['401 GET /v1/reports/shared']));
    } finally {
      await reader.context.close();
    }
  });

  it('tells the holder of an expired link that it no longer opens the report', async () => {
    const link = await t.services.reports.links.create({ audience: { segment: operaSeg.segmentId }, title: 'Opera' }, 1_000, 'test');
    await sleep(Date.parse(link.expiresAt) - Date.now() + 200);
    const reader = await openPage(browser, t.baseUrl);
    try {
      await reader.page.goto(`/#/shared/${link.token}`);
      await reader.page.locator('#report[data-state="refused"]').waitFor();
      expect(await reader.page.locator('#refusal').textContent()).toMatch(/expired/);
    } finally {
      await reader.context.close();
    }
    expect(w.errors).toEqual([]);
  });
});
