import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CHROMIUM_PATH, launchChromium } from '../../src/reports/chromium.js';

/** Debian's chromium, launched as the report renderer launches it. Override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

export function launchBrowser(): Promise<Browser> {
  return launchChromium(CHROMIUM_PATH);
}

export interface PageWatch {
  browser: Browser;
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and console errors, so a test can assert the page ran cleanly. */
  errors: string[];
  /** Responses with status ≥ 400, as `<status> <method> <path>` (the console's own messages omit the URL). */
  failedResponses: string[];
}

/**
 * A fresh context (own cookies and sessionStorage) and page on the app. Script errors and CSP violations end up in
 * `errors`, failed requests in `failedResponses`, so a test can say exactly which failures it expected.
 */
export async function openPage(browser: Browser, baseURL: string): Promise<PageWatch> {
  const context = await browser.newContext({ baseURL, acceptDownloads: true, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  // Generous for a loaded 2-core machine, still far below the test timeout so a missing element fails with its name.
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  const failedResponses: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium logs every ≥ 400 response as a console error; those are kept, with their URL, in failedResponses.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) failedResponses.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return { browser, page, context, errors, failedResponses };
}

/** A test file's browser and its watched page on the app (closing the browser closes the page). */
export async function browserWithPage(baseURL: string): Promise<PageWatch> {
  return openPage(await launchBrowser(), baseURL);
}

/** Signs a marketer in through the page's own form and waits for the segment list. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Segments' }).waitFor();
}
