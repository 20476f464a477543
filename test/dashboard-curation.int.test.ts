import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { browserWithPage, type PageWatch } from './support/browser.js';
import { getJson, importProfiles, runSegmentation, segmentOfTopic } from './support/dashboard-seed.js';

/**
 * Curation on the dashboard in headless Chromium: a marketer renames a segment, merges two and undoes the merge on the
 * segment pages, and chooses how many segments to show on the segments page; every change is checked against the API.
 * Curation is global: what this file decided is reverted at the end.
 */
const p = `dc${randomUUID().slice(0, 6)}`;
const groups = {
  run: ['Trail running', 'Marathon training', 'Running shoes', 'Ultra trail'],
  jazz: ['Jazz clubs', 'Vinyl records', 'Live concerts', 'Saxophone'],
  bake: ['Sourdough', 'Pastry', 'Bread flour', 'Stand mixers'],
};
const names = (g: keyof typeof groups) => groups[g].map((n) => `${p} ${n}`);

let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;
let key: string;
let run: { segmentId: string; label: string };
let jazz: { segmentId: string; label: string };
let bake: { segmentId: string; label: string };

interface Segment {
  id: string;
  label: string;
  other: boolean;
  curation: { members: string[] | null; mergeDecisionIds: string[]; labelSource: string } | null;
}
const segments = async () => (await getJson<{ items: Segment[] }>(t, key, '/v1/segments?limit=1000')).items;

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  key = await t.keyFor('marketer');
  const people = (['run', 'jazz', 'bake'] as const).flatMap((g) =>
    [0, 1, 2, 3, 4, 5].map((i) => ({ externalId: `${p}-${g}${i}`, interests: names(g).map((topic) => ({ topic, weight: 2 })) })),
  );
  await importProfiles(t, t.adminKey, people);
  await runSegmentation(t, key);
  run = await segmentOfTopic(t, key, names('run')[0]!);
  jazz = await segmentOfTopic(t, key, names('jazz')[0]!);
  bake = await segmentOfTopic(t, key, names('bake')[0]!);
  expect(new Set([run.segmentId, jazz.segmentId, bake.segmentId]).size).toBe(3);
  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Segments' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  if (t) {
    const active = await getJson<{ items: Array<{ id: string }> }>(t, key, '/v1/curation/decisions?status=active&limit=1000');
    for (const d of active.items) await t.call('POST', `/v1/curation/decisions/${d.id}/revert`, { key });
    await t.close();
  }
});

/** The API's segments once their count (without "Other interests") satisfies `ok` (the page's change has landed). */
async function shownWhen(ok: (real: number) => boolean): Promise<Segment[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const list = await segments();
    if (ok(list.filter((s) => !s.other).length)) return list;
    if (Date.now() > deadline) throw new Error(`segments shown: ${list.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const openSegment = async (id: string, heading: string) => {
  await page.goto(`/#/segments/${encodeURIComponent(id)}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};

describe('curation on the dashboard', () => {
  it('renames a segment from its page', async () => {
    await openSegment(run.segmentId, run.label);
    await page.getByLabel('Name', { exact: true }).fill('Runners club');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { level: 1, name: 'Runners club' }).waitFor();
    expect(await page.locator('#auto-label').textContent()).toBe(`Automatic name: ${run.label}`);
    const api = (await segments()).find((s) => s.id === run.segmentId)!;
    expect(api).toMatchObject({ label: 'Runners club', curation: { labelSource: 'rename' } });
  });

  it('merges two segments and undoes the merge', async () => {
    await openSegment(jazz.segmentId, jazz.label);
    const merge = page.getByRole('form', { name: 'Merge segments' });
    await merge.getByLabel(new RegExp(`^${bake.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`)).check();
    await merge.getByLabel('Name of the merged segment').fill('Evenings in');
    await merge.getByRole('button', { name: 'Merge' }).click();
    await page.getByRole('heading', { level: 1, name: 'Evenings in' }).waitFor();
    expect(await page.locator('#group-members').textContent()).toMatch(/^Shown as one: 2 segments of the run \(merged\)/);
    // The group's topics are both segments' topics.
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Topics in this segment"] tbody tr').length === 8);
    const topics = await page.getByRole('table', { name: 'Topics in this segment' }).locator('tbody tr td:first-child').allTextContents();
    expect(topics.sort()).toEqual([...names('jazz'), ...names('bake')].sort());
    const shown = await segments();
    expect(shown.find((s) => s.id === jazz.segmentId)).toMatchObject({
      label: 'Evenings in',
      curation: { members: [jazz.segmentId, bake.segmentId] },
    });
    expect(shown.some((s) => s.id === bake.segmentId)).toBe(false);

    // The segments page lists the group, not the merged-away segment.
    await page.goto('/#/segments');
    const table = page.getByRole('table', { name: 'Segments' });
    await table.getByRole('link', { name: 'Evenings in' }).waitFor();
    expect(await table.locator(`a[href="#/segments/${encodeURIComponent(bake.segmentId)}"]`).count()).toBe(0);

    await openSegment(jazz.segmentId, 'Evenings in');
    await page.getByRole('button', { name: 'Undo merge' }).click();
    await page.getByRole('heading', { level: 1, name: jazz.label }).waitFor();
    expect((await segments()).find((s) => s.id === bake.segmentId)?.label).toBe(bake.label);
  });

  it('chooses how many segments to show on the segments page', async () => {
    await page.goto('/#/segments');
    const form = page.getByRole('form', { name: 'Granularity' });
    await form.waitFor();
    const natural = (await getJson<{ natural: number }>(t, key, '/v1/segmentation/granularity')).natural;
    expect((await segments()).filter((s) => !s.other)).toHaveLength(natural);
    expect(await form.getByLabel('Segments shown').locator('option:checked').textContent()).toBe(`Natural (${natural} segments)`);
    await form.getByLabel('Segments shown').selectOption('count');
    await form.getByLabel('Number of segments').fill('2');
    await form.getByRole('button', { name: 'Apply' }).click();
    // The page re-renders with the two segments the API now lists (and "Other interests" when the run has one).
    const api = await shownWhen((real) => real === 2);
    const rowCount = (n: number) =>
      page.waitForFunction((k) => document.querySelectorAll('table[aria-label="Segments"] tbody tr').length === k, n);
    await rowCount(api.length);
    await page.getByRole('form', { name: 'Granularity' }).waitFor();
    expect(await page.getByRole('form', { name: 'Granularity' }).getByLabel('Number of segments').inputValue()).toBe('2');

    await page.getByRole('form', { name: 'Granularity' }).getByLabel('Segments shown').selectOption('natural');
    await page.getByRole('form', { name: 'Granularity' }).getByRole('button', { name: 'Apply' }).click();
    const back = await shownWhen((real) => real === natural);
    await rowCount(back.length);

    // A name that is not a name is refused with the server's words, and nothing changes.
    await openSegment(run.segmentId, 'Runners club');
    await page.getByLabel('Name', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('alert').filter({ hasText: /label/i }).waitFor();
    expect((await segments()).find((s) => s.id === run.segmentId)?.label).toBe('Runners club');
    expect(w.errors).toEqual([]);
    // The only failed requests: the signed-out /v1/me probe before signing in, and the refused name.
    expect([...w.failedResponses].sort()).toEqual(['400 POST /v1/curation/decisions', '401 GET /v1/me']);
  });
});
