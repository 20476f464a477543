import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { browserWithPage, type PageWatch } from './support/browser.js';
import { importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

/**
 * A person's own page in headless Chromium: log in through the real passport-facebook strategy against the stand-in
 * provider, see interests and the segment of one, remove an interest (it stays removed, also after the next login),
 * withdraw consent, log out, erase.
 */

const p = `dashfb${randomUUID().slice(0, 8)}`;
const climbing = ['Bouldering', 'Climbing shoes', 'Via ferrata', 'Chalk bags'].map((n) => `${p} ${n}`);
const baking = ['Sourdough', 'Pastry', 'Croissants'].map((n) => `${p} ${n}`);
const person: FakePerson = {
  id: `${p}-fb`,
  name: `Dana ${p}`,
  email: `${p}@example.org`,
  likes: [...climbing, ...baking].map((name, i) => ({
    id: `${p}-page-${i}`,
    name,
    category: 'Interest',
    created_time: '2026-10-01T10:00:00+0000',
  })),
};

let fb: FakeFacebook;
let db: OwnNeo4j;
let t: TestApp;
let browser: Browser;
let w: PageWatch;
let page: Page;

beforeAll(async () => {
  fb = await startFakeFacebook();
  // Its own database: the groups below are three people each, and on the shared one other files' people raise the
  // support a topic needs to take part in detection (the two groups then came back as one segment).
  db = await startOwnNeo4j();
  t = await startTestApp({ ...db.env, ...fb.env() }, { applySchema: true, worker: 'process' });
  fb.setPerson(person);
  // Others who share the interests make them a segment, so the person gets a segment of one on login.
  const interest = (topic: string) => ({ topic, category: 'Interest', weight: 2, at: '2026-10-01T10:00:00Z' });
  await importProfiles(t, t.adminKey, [
    ...[1, 2, 3].map((i) => ({ externalId: `${p}-c${i}`, interests: climbing.map(interest) })),
    ...[1, 2, 3].map((i) => ({ externalId: `${p}-b${i}`, interests: baking.map(interest) })),
  ]);
  await runSegmentation(t, t.adminKey);
  w = await browserWithPage(t.baseUrl);
  ({ browser, page } = w);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fb?.close();
  await db?.stop();
});

async function logIn() {
  await page.goto('/');
  await page.getByRole('link', { name: 'Log in with Facebook' }).click();
  await page.getByRole('heading', { level: 1, name: person.name }).waitFor();
}

async function myInterests(): Promise<string[]> {
  // The browser context's request API sends the session cookie, as the page does.
  const res = await page.request.get('/v1/me/interests');
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: Array<{ name: string }> }).items.map((i) => i.name);
}

const interestList = () => page.getByRole('list', { name: 'Your interests' });

describe('a person’s own page', () => {
  it('explains a cancelled or failed Facebook login in the alert box, not as a raw problem', async () => {
    const cases = [
      { failures: { denyDialog: true }, message: /login was cancelled/i },
      { failures: { token: true }, message: /Facebook could not be reached or failed/i },
    ];
    for (const { failures, message } of cases) {
      fb.failures = failures;
      try {
        await page.goto('/');
        await page.getByRole('link', { name: 'Log in with Facebook' }).click();
        await page.getByRole('alert').filter({ hasText: message }).waitFor();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        // The notice is taken out of the address: a reload does not show it again.
        expect(new URL(page.url()).hash).toBe('#/');
        expect((await page.request.get('/v1/me')).status()).toBe(401);
      } finally {
        fb.failures = {};
      }
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('alert').isHidden()).toBe(true);
  });

  it('refuses an admin key at the marketers’ sign-in and does not keep it', async () => {
    await page.getByLabel('API key').fill(t.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /Admin keys cannot sign in here/ })
      .waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ns.apiKey'))).toBeNull();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('logs in through the stand-in Facebook and shows interests and the segment of one', async () => {
    await logIn();
    expect(new URL(page.url()).hash).toBe('#/me');
    expect((await interestList().locator('.interest-name').allTextContents()).sort()).toEqual(person.likes.map((l) => l.name).sort());
    const bars = page.getByRole('list', { name: 'Segment of one' });
    await bars.waitFor();
    const api = (await (await page.request.get('/v1/me/affinities')).json()) as { segments: Array<{ label: string; affinity: number }> };
    expect(api.segments.length).toBe(2);
    expect(await bars.getByRole('meter').count()).toBe(api.segments.length);
    const items = await bars.getByRole('listitem').allTextContents();
    expect(items[0]).toContain(api.segments[0]!.label);
    // Four climbing likes against three baking ones: climbing leads.
    expect(items[0]).toContain(climbing[0]);
    // Marketer-only navigation is not shown to a person.
    expect(await page.getByRole('navigation', { name: 'Main' }).isHidden()).toBe(true);
  });

  it('removes an interest, which stays removed through the API and the next login', async () => {
    const gone = climbing[1]!;
    await interestList()
      .getByRole('button', { name: `Remove ${gone}` })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `Removed “${gone}”` })
      .waitFor();
    expect(await interestList().getByText(gone, { exact: true }).count()).toBe(0);
    expect(await myInterests()).not.toContain(gone);
    expect((await myInterests()).sort()).toEqual(
      person.likes
        .map((l) => l.name)
        .filter((n) => n !== gone)
        .sort(),
    );

    // The segment of one follows (the status is announced after it reloads): the topic no longer explains any bar.
    const because = await page.getByRole('list', { name: 'Segment of one' }).locator('.bar-topics').allTextContents();
    expect(because.length).toBeGreaterThan(0);
    expect(because.join('\n')).not.toContain(gone);
    expect(because.join('\n')).toContain(climbing[0]);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await page.request.get('/v1/me')).status()).toBe(401);

    // Facebook still reports the like; the next login must not bring it back.
    await logIn();
    await interestList().waitFor();
    expect(await interestList().getByText(gone, { exact: true }).count()).toBe(0);
    expect(await myInterests()).not.toContain(gone);
  });

  it('withdraws and gives back consent', async () => {
    const consent = page.getByLabel('Use my interests for segmentation');
    expect(await consent.isChecked()).toBe(true);
    await consent.uncheck();
    await page.getByRole('status').filter({ hasText: 'Consent withdrawn' }).waitFor();
    const me = async () =>
      ((await (await page.request.get('/v1/me')).json()) as { consent: { segmentation: boolean } }).consent.segmentation;
    expect(await me()).toBe(false);
    // After a reload the page shows the stored choice, not a default.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: person.name }).waitFor();
    expect(await page.getByLabel('Use my interests for segmentation').isChecked()).toBe(false);
    await page.getByLabel('Use my interests for segmentation').check();
    await page.getByRole('status').filter({ hasText: 'Consent given' }).waitFor();
    expect(await me()).toBe(true);
  });

  it('erases the person after a confirmation', async () => {
    await page.getByRole('button', { name: 'Erase my data…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await page.request.get('/v1/me')).status()).toBe(200);

    await page.getByRole('button', { name: 'Erase my data…' }).click();
    await page.getByRole('button', { name: 'Yes, erase everything' }).click();
    await page.getByRole('heading', { name: 'Erased' }).waitFor();
    expect((await page.request.get('/v1/me')).status()).toBe(401);
    const lookup = await t.call('GET', `/v1/users/facebook:${person.id}/affinities`, { key: t.adminKey });
    expect(lookup.status).toBe(404);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(w.errors).toEqual([]);
    // Only the signed-out /v1/me probes failed (first visit, after logout, after erasure).
    expect([...new Set(w.failedResponses)]).toEqual(['401 GET /v1/me']);
  });
});
