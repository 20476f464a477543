import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { browserWithPage, type PageWatch } from './support/browser.js';
import { audienceUsers, getJson, importProfiles, runSegmentation, segmentOfTopic } from './support/dashboard-seed.js';

/**
 * The dashboard in headless Chromium against the real app: a marketer signs in with an API key, browses segments,
 * sets an audience threshold, exports CSV, looks at the topic graph and a person's segment of one, and starts a run.
 * Data comes in through the public API; names carry a random prefix because other files share the database.
 */

const p = `dash${randomUUID().slice(0, 8)}`;
const running = ['Trail running', 'Marathon training', 'Running shoes', 'Ultra trail'].map((n) => `${p} ${n}`);
const jazz = ['Jazz clubs', 'Vinyl records', 'Live concerts', 'Saxophone'].map((n) => `${p} ${n}`);
const interest = (topic: string, category: string, weight = 2) => ({ topic, category, weight, at: '2026-10-01T10:00:00Z' });
const runners = [1, 2, 3, 4].map((i) => `${p}-r${i}`);
const jazzFans = [1, 2, 3, 4].map((i) => `${p}-j${i}`);
const mixed = `${p}-mix`;

let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;
let marketerKey: string;
let runningSeg: { topicId: string; segmentId: string; label: string };
let jazzSeg: { topicId: string; segmentId: string; label: string };

beforeAll(async () => {
  t = await startTestApp({}, { worker: 'process' });
  marketerKey = await t.keyFor('marketer');
  await importProfiles(t, t.adminKey, [
    ...runners.map((externalId) => ({ externalId, name: externalId, interests: running.map((n) => interest(n, 'Sport')) })),
    ...jazzFans.map((externalId) => ({ externalId, name: externalId, interests: jazz.map((n) => interest(n, 'Music')) })),
    // Mostly a runner, a little jazz: two bars in the segment of one.
    { externalId: mixed, interests: [...running.slice(0, 3).map((n) => interest(n, 'Sport')), interest(jazz[3]!, 'Music', 1)] },
  ]);
  await runSegmentation(t, t.adminKey);
  runningSeg = await segmentOfTopic(t, marketerKey, running[0]!);
  jazzSeg = await segmentOfTopic(t, marketerKey, jazz[0]!);
  expect(runningSeg.segmentId).not.toBe(jazzSeg.segmentId);

  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard for marketers', () => {
  it('serves the page, its bundle and stylesheet under the CSP', async () => {
    const html = await t.call('GET', '/');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await html.text()).toContain('<script type="module" src="/assets/app.js"></script>');
    const js = await t.call('GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    const etag = js.headers.get('etag');
    expect(etag).toBeTruthy();
    // fetch() would add `cache-control: no-cache` to a conditional request (which forces a full answer); a browser
    // revalidating its cached copy sends max-age=0.
    const again = await t.call('GET', '/assets/app.js', { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    expect((await t.call('GET', '/assets/app.css')).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('refuses a wrong API key with the server’s message and signs in with a marketer key', async () => {
    await page.goto('/');
    await page.getByLabel('API key').fill('nsk_not-a-real-key-000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /API key/i })
      .waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/unknown or revoked api key/i);

    await page.getByLabel('API key').fill(marketerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table', { name: 'Segments' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ns.apiKey'))).toBe(marketerKey);
    expect(await page.getByRole('alert').isHidden()).toBe(true);
  });

  it('lists segments with size, top topics and stability, as the API reports them', async () => {
    const list = await getJson<{
      items: Array<{
        id: string;
        label: string;
        userCount: number;
        topTopics: Array<{ name: string }>;
        quality: { significant: boolean } | null;
      }>;
    }>(t, marketerKey, '/v1/segments');
    const api = list.items.find((s) => s.id === runningSeg.segmentId)!;
    const row = page.getByRole('row').filter({ has: page.locator(`a[href="#/segments/${encodeURIComponent(runningSeg.segmentId)}"]`) });
    const cells = await row.getByRole('cell').allTextContents();
    expect(await row.getByRole('rowheader').textContent()).toContain(runningSeg.label);
    expect(cells[0]).toBe(String(api.userCount));
    expect(cells[2]).toBe(api.topTopics.map((x) => x.name).join(', '));
    expect(cells[2]).toContain(p);
    expect(cells[3]).toMatch(/^(\d+%|new|first run)/);
    expect(cells[4]).toBe(api.quality!.significant ? 'yes' : 'no');
    expect(await page.getByRole('row').count()).toBe(list.items.length + 1);
  });

  it('opens a segment and shows its topics', async () => {
    await page.locator(`a[href="#/segments/${encodeURIComponent(runningSeg.segmentId)}"]`).click();
    await page.getByRole('heading', { level: 1, name: runningSeg.label }).waitFor();
    const topics = page.getByRole('table', { name: 'Topics in this segment' });
    await topics.waitFor();
    const names = await topics.locator('tbody tr td:first-child').allTextContents();
    expect(names.sort()).toEqual([...running].sort());
    expect(names.some((n) => jazz.includes(n))).toBe(false);
    // The segment's quality, as the API reports it.
    const api = await getJson<{ quality: { significant: boolean; cohesion: number; seedStability: number | null } }>(
      t,
      marketerKey,
      `/v1/segments/${encodeURIComponent(runningSeg.segmentId)}`,
    );
    const quality = page.locator('dl[aria-label="Segment quality"]');
    await quality.waitFor();
    expect(await quality.locator('dd[data-quality="Significant"]').textContent()).toBe(api.quality.significant ? 'yes' : 'no');
    expect(await quality.locator('dd[data-quality="Cohesion"]').textContent()).toBe(`${api.quality.cohesion.toFixed(1)}×`);
    expect(await quality.locator('dd[data-quality="Stability across seeds"]').textContent()).toMatch(/^\d+%$/);
  });

  it('counts the audience at the chosen minimum affinity', async () => {
    const size = page.locator('#audience-size');
    const countAt = async (value: number) => {
      await page.getByLabel('Minimum affinity').fill(String(value));
      await page
        .locator(`#audience-size[data-state="done"]`)
        .filter({ hasText: `${Math.round(value * 100)}%` })
        .waitFor();
      return Number(await size.getAttribute('data-count'));
    };
    const low = await countAt(0.2);
    const high = await countAt(0.9);
    expect(low).toBe((await audienceUsers(t, marketerKey, runningSeg.segmentId, 0.2)).length);
    expect(high).toBe((await audienceUsers(t, marketerKey, runningSeg.segmentId, 0.9)).length);
    // The four runners are all-in; the mostly-runner drops out at 90%.
    expect(low).toBe(5);
    expect(high).toBe(4);
    expect(await size.textContent()).toMatch(/Audience at minimum affinity 90%: 4 people/);
  });

  it('exports the audience as CSV', async () => {
    await page.getByLabel('Minimum affinity').fill('0');
    await page.locator('#audience-size[data-state="done"]').filter({ hasText: '0%' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audience-.+-min0\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header).toBe('user,affinity,lift');
    const users = rows.map((r) => r.split(',')[0]);
    expect(users.sort()).toEqual((await audienceUsers(t, marketerKey, runningSeg.segmentId, 0)).sort());
    expect(users).toEqual(expect.arrayContaining([...runners.map((r) => `crm:${r}`), `crm:${mixed}`]));
    expect(users.some((u) => jazzFans.some((j) => u === `crm:${j}`))).toBe(false);
    await page
      .getByRole('status')
      .filter({ hasText: /Downloaded audience-/ })
      .waitFor();
  });

  it('draws the topic graph and focuses a topic found by search', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Topic graph' }).click();
    await page.locator('#graph[data-ready="true"] canvas').first().waitFor();
    const status = page.locator('#graph-status');
    expect(await status.textContent()).toMatch(/^\d[\d,]* topics, \d[\d,]* links, \d+ segments/);
    await page.getByLabel('Search topics').fill(jazz[3]!.toLowerCase());
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: jazz[3]! }).waitFor();
    const focused = page.getByRole('complementary', { name: 'Focused topic' });
    expect(await focused.getByRole('link').first().textContent()).toBe(jazzSeg.label);
    // Related topics come from GET /v1/topics/:id, so the other jazz topics are one click away.
    const related = await focused.getByRole('button').allTextContents();
    expect(related.length).toBeGreaterThan(0);
    expect(related.every((r) => jazz.includes(r) || running.includes(r))).toBe(true);
    expect(await status.textContent()).toBe(`Focused on “${jazz[3]}” in ${jazzSeg.label}`);
    const zoom = async () => Number(await page.locator('#graph').getAttribute('data-zoom'));
    await page.waitForFunction(() => Number(document.getElementById('graph')?.dataset.zoom) > 1); // focusing zooms in
    const focusedZoom = await zoom();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction((z) => Number(document.getElementById('graph')?.dataset.zoom) > z, focusedZoom);
    await page.getByRole('button', { name: 'Reset view' }).click();
    await page.waitForFunction(() => document.getElementById('graph')?.dataset.zoom === '1.00');
    expect(await zoom()).toBe(1);
    expect(await status.textContent()).toMatch(/topics, .* links/);

    // Topic links elsewhere (segment page, suggestions) open the graph focused on that topic.
    await page.goto(`/#/graph/${runningSeg.topicId}`);
    await page.getByRole('heading', { name: running[0]! }).waitFor();
    expect(await focused.getByRole('link').first().textContent()).toBe(runningSeg.label);
  });

  it('shows a person’s segment of one with the topics behind each bar', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await page.getByLabel('Person').fill(`crm:${mixed}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    const bars = page.getByRole('list', { name: 'Segment of one' });
    await bars.waitFor();
    const api = await getJson<{ segments: Array<{ label: string; affinity: number; topics: string[] }> }>(
      t,
      marketerKey,
      `/v1/users/crm:${mixed}/affinities`,
    );
    expect(api.segments.map((s) => s.label)).toEqual([runningSeg.label, jazzSeg.label]);
    const meters = bars.getByRole('meter');
    expect(await meters.count()).toBe(2);
    expect(Number(await meters.nth(0).getAttribute('aria-valuenow'))).toBeCloseTo(api.segments[0]!.affinity, 3);
    const items = await bars.getByRole('listitem').allTextContents();
    expect(items[0]).toContain(runningSeg.label);
    for (const topic of api.segments[0]!.topics) expect(items[0]).toContain(topic);
    expect(items[1]).toContain(jazz[3]);

    await page.getByLabel('Person').fill(`crm:${p}-nobody`);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /not found/i })
      .waitFor();
    // The form stays for a corrected id.
    expect(await page.getByLabel('Person').inputValue()).toBe(`crm:${p}-nobody`);
  });

  it('starts a run from the page and shows its progress until it succeeds', async () => {
    const before = await getJson<{ items: Array<{ id: string }> }>(t, marketerKey, '/v1/segmentation/runs');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('table', { name: 'Segmentation runs' }).waitFor();
    await page.getByRole('button', { name: 'Start a run', exact: true }).click();
    await page
      .locator('#run-status')
      .filter({ hasText: /^Run (queued|running|succeeded)/ })
      .waitFor();
    await page.locator('#run-status[data-status="succeeded"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#run-status').textContent()).toMatch(/^Run succeeded: \d+ segments/);
    const after = await getJson<{ items: Array<{ id: string; status: string }> }>(t, marketerKey, '/v1/segmentation/runs');
    const started = after.items.find((r) => !before.items.some((b) => b.id === r.id))!;
    expect(started.status).toBe('succeeded');
    await page.getByRole('table', { name: 'Segmentation runs' }).getByRole('cell', { name: started.id, exact: true }).waitFor();

    // Nothing changed between the two runs: the segment keeps its id and all of its topics.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
    const row = page.getByRole('row').filter({ has: page.locator(`a[href="#/segments/${encodeURIComponent(runningSeg.segmentId)}"]`) });
    await row.waitFor();
    expect((await row.getByRole('cell').allTextContents())[3]).toBe('100%');
    expect(await page.locator('#run-stability').textContent()).toMatch(/^Since the previous run: agreement \(NMI\) [01]\.\d\d/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ns.apiKey'))).toBeNull();

    expect(w.errors).toEqual([]);
    // The only failed requests were the ones this test provoked: the signed-out /v1/me probe, the wrong key, the unknown person.
    expect([...new Set(w.failedResponses)].sort()).toEqual(
      ['401 GET /v1/me', '401 GET /v1/segments', `404 GET /v1/users/${encodeURIComponent(`crm:${p}-nobody`)}/affinities`].sort(),
    );
  });
});
