import type { Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); playwright-core never downloads a browser. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (containers rarely allow one), nothing that phones home or updates itself. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium: the report renderer's and the browser tests'. playwright-core is loaded on the first launch:
 * importing it costs every API process about a second of CPU at start (measured in a profile of `src/main.ts`), and
 * most processes never render a report.
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
