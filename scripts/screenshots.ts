/**
 * Screenshots of the dashboard's main views for docs/screenshots/, taken from the real app in headless Chromium:
 * a throwaway Neo4j (or NEO4J_URI), planted-community demo data imported through the API, two segmentation runs (so
 * stability has something to compare), and a Facebook login through the stand-in provider for the person's own page.
 *
 * Run: `npx tsx scripts/screenshots.ts [--users 1500] [--out docs/screenshots]`
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { Db } from '../src/db/neo4j.js';
import { applySchema } from '../src/db/schema.js';
import { startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';
import { createApp } from '../src/app.js';
import { generateProfiles, plantedTopics } from '../src/demo/planted.js';
import { launchBrowser } from '../test/support/browser.js';
import { startFakeFacebook } from '../test/support/fake-facebook.js';
import { listen } from '../src/api/listen.js';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '1500' }, out: { type: 'string', default: 'docs/screenshots' } },
});
const users = Number(values.users);
const outDir = path.resolve(values.out!);
mkdirSync(outDir, { recursive: true });

let local: LocalNeo4j | undefined;
let dataDir: string | undefined;
let uri = process.env.NEO4J_URI;
if (!uri) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ns-shots-'));
  console.error('starting a throwaway Neo4j…');
  local = await startLocalNeo4j({ dataDir, port: 0 });
  uri = local.uri;
}
const fb = await startFakeFacebook();
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  NEO4J_URI: uri,
  DEMO_DATA: 'false',
  SECRET_KEY: 'screenshots-secret-key-0123',
  ...fb.env(),
});
const db = new Db({ uri, user: config.NEO4J_USER, password: local?.password ?? config.NEO4J_PASSWORD });
await applySchema(db);
const services = createServices({ config, db, logger: createLogger('warn'), secretKey: config.SECRET_KEY! });
const app = createApp(services);
const { server, baseUrl: base } = await listen(app);
const key = (await services.apiKeys.create('screenshots', 'admin')).key;
// The dashboard refuses admin keys at sign-in: the page signs in with a marketer's.
const pageKey = (await services.apiKeys.create('screenshots page', 'marketer')).key;

async function api(method: string, p: string, body?: string, type = 'application/json') {
  const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
}

async function segmentationRun(): Promise<void> {
  const { id } = (await api('POST', '/v1/segmentation/runs', '{}')) as { id: string };
  for (;;) {
    const run = (await api('GET', `/v1/segmentation/runs/${id}`)) as { status: string; error?: string };
    if (run.status === 'succeeded') return;
    if (run.status === 'failed') throw new Error(`run failed: ${run.error}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const demo = { users, communities: 10, topicsPerCommunity: 14, interestsPerUser: 12, seed: 7 };
const ndjson = (records: Iterable<unknown>) => [...records].map((r) => JSON.stringify(r)).join('\n');
const all = [...generateProfiles(demo)];
console.error(`importing ${all.length} profiles, two runs…`);
await api('POST', '/v1/imports/profiles', ndjson(all.slice(0, Math.round(all.length * 0.9))), 'application/x-ndjson');
await segmentationRun();
// A day later: more people arrive, the segments move a little.
await api('POST', '/v1/imports/profiles', ndjson(all.slice(Math.round(all.length * 0.9))), 'application/x-ndjson');
await segmentationRun();

const topics = plantedTopics(demo);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const shot = async (name: string) => {
    await page.waitForTimeout(400); // let sigma's camera animation settle
    await page.screenshot({ path: path.join(outDir, `${name}.png`) });
    console.error(`  ${name}.png`);
  };

  await page.goto(base + '/');
  await page.getByLabel('API key').fill(pageKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('table', { name: 'Segments' }).waitFor();
  await shot('segments');

  const firstSegment = page.getByRole('table', { name: 'Segments' }).locator('tbody a').first();
  await firstSegment.click();
  await page.locator('#audience-size[data-state="done"]').waitFor();
  await page.getByLabel('Minimum affinity').fill('0.4');
  await page.locator('#audience-size[data-state="done"]').filter({ hasText: '40%' }).waitFor();
  await shot('segment');

  await page.goto(base + '/#/graph');
  await page.locator('#graph[data-ready="true"]').waitFor({ timeout: 120_000 });
  await shot('graph');
  await page.getByLabel('Search topics').fill(topics[0]!.name);
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByRole('heading', { name: topics[0]!.name }).waitFor();
  await page.waitForTimeout(800);
  await shot('graph-search');

  // Someone with a second passion shows more than one bar.
  const mixed = all.find((u) => new Set(u.interests.map((i) => i.category)).size >= 3 && u.consent.segmentation)!;
  await page.goto(base + `/#/people/${encodeURIComponent(`crm:${mixed.externalId}`)}`);
  await page.getByRole('list', { name: 'Segment of one' }).waitFor();
  await shot('person');

  const person = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const me = await person.newPage();
  fb.setPerson({
    id: '10001234',
    name: 'Dana Example',
    email: 'dana@example.org',
    likes: [0, 1, 2, 3, 14, 15, 29].map((i, n) => ({ id: `page-${n}`, name: topics[i]!.name, category: topics[i]!.category })),
  });
  await me.goto(base + '/');
  await me.getByRole('link', { name: 'Log in with Facebook' }).click();
  await me.getByRole('list', { name: 'Segment of one' }).waitFor();
  await me.screenshot({ path: path.join(outDir, 'me.png') });
  console.error('  me.png');
} finally {
  await browser.close();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await services.shutdown();
  await db.close();
  await fb.close();
  await local?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
console.error(`screenshots in ${path.relative(process.cwd(), outDir)}`);
