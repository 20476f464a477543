import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { launchBrowser, openPage } from './support/browser.js';
import { getJson } from './support/dashboard-seed.js';
import { startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

/**
 * Privacy controls in headless Chromium: on a marketer's dashboard an admin key typed for the task marks a category
 * sensitive (and unmarks it); the person sees their interest in it flagged on their own page.
 */

const p = `dashpriv${randomUUID().slice(0, 8)}`;
const HEALTH = `Health ${p}`;
const person: FakePerson = {
  id: `${p}-fb`,
  name: `Eli ${p}`,
  likes: [
    { id: `${p}-1`, name: `${p} Kayaking`, category: 'Sport' },
    { id: `${p}-2`, name: `${p} Migraine`, category: HEALTH },
  ],
};

let fb: FakeFacebook;
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  fb = await startFakeFacebook();
  t = await startTestApp(fb.env());
  fb.setPerson(person);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fb?.close();
});

describe('privacy on the dashboard', () => {
  it('lets an admin mark a category sensitive; the person sees their interest in it flagged', async () => {
    // The person's topics exist once they have logged in (a first browser, then the admin's).
    const personal = await openPage(browser, t.baseUrl);
    await personal.page.goto('/');
    await personal.page.getByRole('link', { name: 'Log in with Facebook' }).click();
    await personal.page.getByRole('heading', { level: 1, name: person.name }).waitFor();
    const list = personal.page.getByRole('list', { name: 'Your interests' });
    await list.getByText(`${p} Migraine`).waitFor();
    expect(await list.getByText('Sensitive', { exact: true }).count()).toBe(0);

    const admin = await openPage(browser, t.baseUrl);
    await admin.page.goto('/');
    await admin.page.getByLabel('API key').fill(await t.keyFor('marketer'));
    await admin.page.getByRole('button', { name: /sign in/i }).click();
    await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sensitive' }).click();
    await admin.page.getByRole('heading', { level: 1, name: 'Sensitive topics' }).waitFor();
    await admin.page.getByLabel('Category').fill(HEALTH);
    // A marketer's key may look, not mark: the server's refusal is shown.
    await admin.page.getByRole('button', { name: 'Mark sensitive' }).first().click();
    await admin.page
      .getByRole('alert')
      .filter({ hasText: /admin key/i })
      .waitFor();
    await admin.page.getByLabel('Admin key').fill(t.adminKey);
    await admin.page.getByRole('button', { name: 'Mark sensitive' }).first().click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: `Marked category “${HEALTH}” (1 topics now).` })
      .waitFor();
    await admin.page.getByRole('list', { name: 'Sensitive marks' }).getByText(HEALTH).waitFor();
    const marks = await getJson<{ items: Array<{ name: string }> }>(t, t.adminKey, '/v1/sensitive-topics?limit=1000');
    expect(marks.items.map((m) => m.name)).toContain(HEALTH);

    // The person's page, reloaded: the interest is there, flagged; the other one is not.
    await personal.page.reload();
    const row = list.getByRole('listitem').filter({ hasText: `${p} Migraine` });
    await row.getByText('Sensitive', { exact: true }).waitFor();
    expect(
      await list
        .getByRole('listitem')
        .filter({ hasText: `${p} Kayaking` })
        .getByText('Sensitive', { exact: true })
        .count(),
    ).toBe(0);

    // Unmarked from the dashboard: the flag goes.
    await admin.page.getByRole('button', { name: `Unmark category ${HEALTH}` }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: /Unmarked/ })
      .waitFor();
    await personal.page.reload();
    await list.getByText(`${p} Migraine`).waitFor();
    expect(await list.getByText('Sensitive', { exact: true }).count()).toBe(0);
    expect(personal.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
    // The admin key was never stored by the page.
    expect(await admin.page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))).not.toContain(t.adminKey);
    await personal.context.close();
    await admin.context.close();
  });

  it('lets the person change each purpose of their consent and shows the history', async () => {
    const w = await openPage(browser, t.baseUrl);
    const page = w.page;
    await page.goto('/');
    await page.getByRole('link', { name: 'Log in with Facebook' }).click();
    await page.getByRole('heading', { level: 1, name: person.name }).waitFor();
    const consent = async () => (await (await page.request.get('/v1/me/consent')).json()) as Record<string, boolean>;
    const seg = page.getByLabel('Use my interests for segmentation');
    const pers = page.getByLabel('Personalize content for me');
    const mkt = page.getByLabel('Include me in marketing audiences');
    for (const box of [seg, pers, mkt]) expect(await box.isChecked()).toBe(true);

    await mkt.uncheck();
    await page.getByRole('status').filter({ hasText: 'Marketing consent withdrawn' }).waitFor();
    expect(await consent()).toEqual({ segmentation: true, personalization: true, marketing: false });
    await page
      .getByRole('list', { name: 'Consent history' })
      .getByText(/marketing withdrawn · by you/)
      .waitFor();

    // Without segmentation the other purposes cannot be in force: their boxes are disabled, and giving segmentation
    // back leaves the marketing choice as it was.
    await seg.uncheck();
    await page.getByRole('status').filter({ hasText: 'Consent withdrawn' }).waitFor();
    expect(await pers.isDisabled()).toBe(true);
    expect(await mkt.isDisabled()).toBe(true);
    await seg.check();
    await page.getByRole('status').filter({ hasText: 'Consent given' }).waitFor();
    expect(await consent()).toEqual({ segmentation: true, personalization: true, marketing: false });
    expect(await mkt.isChecked()).toBe(false);
    expect(await pers.isEnabled()).toBe(true);

    // A reload shows the stored choices and the history, newest first.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: person.name }).waitFor();
    expect(await page.getByLabel('Include me in marketing audiences').isChecked()).toBe(false);
    // The history is fetched after the page shows the person: wait for its list (rendered whole) before reading it.
    const history = page.getByRole('list', { name: 'Consent history' });
    await history.getByRole('listitem').first().waitFor();
    const entries = await history.getByRole('listitem').allTextContents();
    expect(entries.map((e) => e.replace(/^.* · (\w+ \w+) · .*$/, '$1'))).toEqual([
      'segmentation given',
      'segmentation withdrawn',
      'marketing withdrawn',
    ]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });
});
