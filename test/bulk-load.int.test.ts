import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProfiles } from '../src/demo/planted.js';
import { freePort, generatePassword, startLocalNeo4j, type LocalNeo4j } from '../src/db/local-neo4j.js';
import { toNative } from '../src/db/native.js';
import type { Db } from '../src/db/neo4j.js';
import { bulkLoad, BulkLoadRefused, type BulkLoadOptions, type BulkProgress } from '../src/ingest/bulk-load.js';
import { getJson, runSegmentation } from './support/dashboard-seed.js';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * The initial bulk load (neo4j-admin into a fresh data directory) and the online import (POST /v1/imports/profiles
 * into the shared test database) of one file must give the same graph; the bulk-loaded one must then serve.
 */

const SECRET = 'test-secret-key-0123456789';
const PASSWORD = generatePassword();
const p = randomUUID().slice(0, 8);
const dir = mkdtempSync(path.join(tmpdir(), 'bulk-load-test-'));
const started = new Date().toISOString();
const quiet: BulkProgress = { phase: () => undefined, update: () => undefined, done: () => undefined, log: () => undefined };

const planted = [...generateProfiles({ users: 240, communities: 4, topicsPerCommunity: 10, seed: 3, prefix: `${p}-` })];

/** Records that exercise every rule the two paths must agree on, and planted people for a segmentation run. */
function fileLines(): string[] {
  const tricky: unknown[] = [
    // repeated topics (one by normalization) add up; times: the latest given; a category on the second mention
    {
      externalId: ` ${p}-a `,
      name: 'Ana "the Ace", of Commas',
      consent: { segmentation: false },
      interests: [
        { topic: `${p} Trail  Running`, weight: 2, at: '2026-10-01T10:00:00Z' },
        { topic: `${p} trail running`, category: 'Sport', weight: 0.5, at: '2026-10-03T08:00:00+02:00' },
        { topic: `${p} STRASSE`, weight: 1.25 },
        { topic: `${p} Rock, "Roll"` },
      ],
      purchases: [
        { sku: 'SKU-1', category: `${p} Running shoes`, amount: 89.9, at: '2026-10-02T08:00:00Z' },
        { sku: 'SKU-1', category: `${p} Running shoes`, amount: 12, at: '2026-10-02T08:00:00Z' },
        { sku: 'SKU-2', category: `${p} trail running` },
      ],
    },
    // two external ids with one email (spelled differently): one person, per-identity snapshots
    {
      externalId: `${p}-b`,
      email: `${p}.bo@example.org`,
      name: 'Bo',
      interests: [{ topic: `${p} Chess`, weight: 3, at: '2026-10-05T00:00:00Z' }, { topic: `${p} Go` }],
    },
    '{"externalId": "broken',
    {
      externalId: `${p}-c`,
      email: `${p}.BO@Example.org`,
      consent: { segmentation: true },
      interests: [{ topic: `${p} chess`, category: 'Games', weight: 1, at: '2026-10-04T00:00:00Z' }],
    },
    // repeated external id: the last valid record wins; an invalid later one does not count
    { externalId: `${p}-d`, interests: [{ topic: `${p} Old` }] },
    { externalId: `${p}-e`, name: 'Eve', interests: [{ topic: `${p} Straße`, category: 'Words' }] },
    {
      externalId: `${p}-d`,
      name: 'Dee',
      interests: [{ topic: `${p} New`, weight: 7 }],
      purchases: [{ sku: 'S9', category: `${p} New`, at: '2026-09-01T00:00:00Z' }],
    },
    { externalId: `${p}-e`, interests: [{ topic: `${p} Straße`, weight: -1 }] },
    { externalId: `${p}-f`, favouriteColour: 'red' },
    { externalId: `${p}-g` },
  ];
  return [...tricky, ...planted].map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
}

type Dumped = Record<string, unknown>;

/** People of this file (identities crm:<p>-...), their identities, edges and topics, with what is random taken out. */
async function dump(db: Db): Promise<Dumped[]> {
  const text = readFileSync(path.join(__dirname, 'cypher', 'dump-people.cypher'), 'utf8');
  const res = await db.driver.executeQuery(text, { prefix: `crm:${p}-` });
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && v >= started) return '<now>';
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)]));
    return v;
  };
  const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.sort).localeCompare(String(b.sort));
  // keys() lists properties in no fixed order
  const sortTypes = (list: Array<Record<string, unknown>>) =>
    list
      .map((e) => ({
        ...e,
        types: (e.types as string[]).sort(),
        ...(e.topicTypes ? { topicTypes: (e.topicTypes as string[]).sort() } : {}),
      }))
      .sort(byKey);
  return res.records
    .map((record) => {
      const r = toNative(record.toObject()) as Record<string, unknown>;
      const { id, ...user } = r.user as Record<string, unknown>;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      return clean({
        user,
        labels: r.labels,
        userTypes: (r.userTypes as string[]).sort(),
        identities: sortTypes(r.identities as Array<Record<string, unknown>>),
        interests: sortTypes(r.interests as Array<Record<string, unknown>>),
        purchases: sortTypes(r.purchases as Array<Record<string, unknown>>),
        relationships: (r.relationships as string[]).sort(),
      }) as Dumped;
    })
    .sort((a, b) => JSON.stringify(a.identities).localeCompare(JSON.stringify(b.identities)));
}

let bulkServer: LocalNeo4j | undefined;
let bulkApp: TestApp;
let online: TestApp;
let file: string;
let loadOptions: BulkLoadOptions;

beforeAll(async () => {
  file = path.join(dir, 'profiles.ndjson');
  writeFileSync(file, fileLines().join('\n') + '\n');
  loadOptions = {
    file,
    format: 'ndjson',
    dataDir: path.join(dir, 'neo4j'),
    secretKey: SECRET,
    neo4jUri: undefined,
    neo4jPort: await freePort(),
    neo4jPassword: PASSWORD,
    progress: quiet,
  };
}, 60_000);

afterAll(async () => {
  await bulkApp?.close();
  await online?.close();
  await bulkServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run import -- --initial (neo4j-admin bulk load)', () => {
  it('builds the graph the online import builds from the same file', async () => {
    const result = await bulkLoad(loadOptions);
    expect(result.records).toBe(247);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 8, 9]);
    expect(result.counts).toMatchObject({ users: 245, identities: 246, events: 0, apiKeys: 0 });

    online = await startTestApp({ SECRET_KEY: SECRET });
    const res = await online.call('POST', '/v1/imports/profiles', {
      key: online.adminKey,
      raw: readFileSync(file, 'utf8'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { imported: number; rejected: Array<{ line: number; errors: string[] }> };
    expect(answer.imported).toBe(247);
    expect(answer.rejected).toEqual(result.rejected);

    bulkServer = await startLocalNeo4j({ dataDir: loadOptions.dataDir, port: 0, password: PASSWORD });
    bulkApp = await startTestApp({ NEO4J_URI: bulkServer.uri, NEO4J_PASSWORD: PASSWORD, SECRET_KEY: SECRET }, { worker: 'process' });
    const [viaBulk, viaApi] = [await dump(bulkApp.db), await dump(online.db)];
    expect(viaBulk).toHaveLength(245);
    // The rules above are really in the data: stitched identities with snapshots, a purchase-only edge, a merged topic.
    const bo = viaBulk.find((u) => JSON.stringify(u.identities).includes(`crm:${p}-b`))!;
    expect(bo.identities).toHaveLength(2);
    expect(JSON.stringify(bo)).toContain('snapshot');
    expect(JSON.stringify(viaBulk)).toContain('purchase');
    expect(viaBulk).toEqual(viaApi);
  }, 600_000);

  it('segments the loaded graph and serves affinities through the HTTP API', async () => {
    const run = await runSegmentation(bulkApp, bulkApp.adminKey, 180_000);
    expect(run.status).toBe('succeeded');
    const doc = await getJson<{ segments: Array<{ affinity: number }> }>(
      bulkApp,
      await bulkApp.keyFor('content'),
      `/v1/users/${encodeURIComponent(`crm:${planted.find((r) => r.consent.segmentation)!.externalId}`)}/affinities`,
    );
    expect(doc.segments.length).toBeGreaterThan(0);
    expect(doc.segments.reduce((s, x) => s + x.affinity, 0)).toBeCloseTo(1, 6);
  }, 300_000);

  it('refuses a graph that is not empty, a running database and a remote NEO4J_URI, and says what to do', async () => {
    const refused = async (o: BulkLoadOptions) => {
      try {
        await bulkLoad(o);
      } catch (err) {
        expect(err).toBeInstanceOf(BulkLoadRefused);
        return (err as Error).message;
      }
      throw new Error('the bulk load was not refused');
    };
    expect(await refused({ ...loadOptions, neo4jUri: 'neo4j://db.example.org:7687' })).toMatch(/NEO4J_URI.*online import/s);
    // bulkServer still runs on the data directory
    expect(await refused(loadOptions)).toMatch(/running on .*stop it first/s);
    expect(await refused({ ...loadOptions, neo4jPort: bulkServer!.port })).toMatch(/stop it first/);
    await bulkApp.close();
    await bulkServer!.stop();
    bulkServer = undefined;
    expect(await refused(loadOptions)).toMatch(/not empty \(245 users.*online import/s);
  }, 300_000);
});
