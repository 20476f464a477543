/**
 * The hot read path (src/api/hot-path.ts) against the Express route it stands in for: two apps over the same database,
 * one with HOT_PATH on and one with it off, asked the same requests over raw HTTP. Their answers must be the same bytes
 * (status, every header in order apart from Date, body), their rate limits must count the same, their metrics and
 * access logs must say the same, and the hot one must really have answered the simple cases itself.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';
import { importProfiles, runSegmentation } from './support/dashboard-seed.js';
import { createLogger } from '../src/logger.js';

const LIMIT = 6;
let db: OwnNeo4j;
let setup: TestApp;
let hot: TestApp;
let plain: TestApp;
const logs = { hot: [] as LogLine[], plain: [] as LogLine[] };
const p = randomUUID().slice(0, 8);
const user = (id: string) => encodeURIComponent(`crm:${p}-${id}`);

interface LogLine {
  level: number;
  msg?: string;
  req?: { id: unknown; method: string; url: string };
  res?: { statusCode: number };
}

interface Raw {
  status: number;
  headers: string[];
  body: string;
}

const logger = (into: LogLine[]) =>
  createLogger('info', {
    write(line: string) {
      into.push(JSON.parse(line) as LogLine);
    },
  });

beforeAll(async () => {
  // Own Neo4j: the planted groups are five people each, and a run segments everyone in the database (on the shared
  // instance other files' people could merge or drown the groups, and the answers compared would say little).
  db = await startOwnNeo4j();
  setup = await startTestApp(db.env, { applySchema: true, worker: 'process' });
  const groups = { a: ['Alpine 1', 'Alpine 2', 'Alpine 3', 'Alpine 4'], b: ['Baking 1', 'Baking 2', 'Baking 3', 'Baking 4'] };
  const profile = (id: string, topics: string[]) => ({
    externalId: `${p}-${id}`,
    name: id,
    interests: topics.map((t, k) => ({ topic: `${t} ${p}`, weight: 1 + (k % 3) })),
  });
  const records = Object.entries(groups).flatMap(([g, topics]) =>
    [0, 1, 2, 3, 4].map((i) =>
      profile(
        `${g}${i}`,
        topics.filter((_, k) => k !== i % 4),
      ),
    ),
  );
  await importProfiles(setup, await setup.keyFor('ingest'), [...records, profile('mix', [...groups.a.slice(0, 2), groups.b[0]!, 'Solo'])]);
  await runSegmentation(setup, await setup.keyFor('marketer'));
  const env = { ...db.env, RATE_LIMIT_PER_MINUTE: String(LIMIT) };
  hot = await startTestApp(env, { logger: logger(logs.hot) });
  plain = await startTestApp({ ...env, HOT_PATH: 'false' }, { logger: logger(logs.plain) });
  // Everyone held in memory and the run known: the simple cases can be answered hot from the first request.
  await Promise.all([hot, plain].flatMap((t) => [t.services.affinity.sync.warm(), t.services.segmentation.visible.refresh()]));
});
afterAll(async () => {
  await Promise.all([hot?.close(), plain?.close()]);
  await setup?.close();
  await db?.stop();
});

function get(t: TestApp, path: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.baseUrl}${path}`, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw headers without Date; the seconds to a rate-limit window's end apart (each app's window began on its own). */
function comparable(raw: Raw): { headers: string[]; reset: number | undefined } {
  const headers: string[] = [];
  let reset: number | undefined;
  for (let i = 0; i < raw.headers.length; i += 2) {
    const [name, value] = [raw.headers[i]!, raw.headers[i + 1]!];
    if (name.toLowerCase() === 'date') continue;
    const m = /^(.*reset=)(\d+)$/.exec(value);
    if (name === 'RateLimit' && m) reset = Number(m[2]);
    headers.push(name, m && name === 'RateLimit' ? `${m[1]}…` : value);
  }
  return { headers, reset };
}

/** Asks both apps the same request and expects the same answer; returns the hot app's. */
async function same(path: string, key: string | undefined, headers: Record<string, string> = {}): Promise<Raw> {
  const h = key === undefined ? headers : { ...headers, authorization: `Bearer ${key}` };
  const a = await get(hot, path, h);
  const b = await get(plain, path, h);
  expect({ path, status: a.status, body: a.body }).toEqual({ path, status: b.status, body: b.body });
  const [ca, cb] = [comparable(a), comparable(b)];
  expect(ca.headers).toEqual(cb.headers);
  if (ca.reset !== undefined || cb.reset !== undefined) expect(Math.abs(ca.reset! - cb.reset!)).toBeLessThanOrEqual(1);
  return a;
}

async function metric(t: TestApp, line: RegExp): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}
const hotAnswers = (t: TestApp) => metric(t, /^http_hot_path_answers_total\{route="\/v1\/users\/:user\/affinities"\} (\d+)$/m);
const route = '/v1/users/:user/affinities';
const counted = (t: TestApp, status: number) =>
  metric(t, new RegExp(`^http_requests_total\\{method="GET",route="${route}",status="${status}"\\} (\\d+)$`, 'm'));
const timed = (t: TestApp, status: number) =>
  metric(t, new RegExp(`^http_request_duration_seconds_count\\{method="GET",route="${route}",status="${status}"\\} (\\d+)$`, 'm'));

const newKey = async (role: 'content' | 'ingest' = 'content') => (await setup.services.apiKeys.create(`hot ${randomUUID()}`, role)).key;

/** The access-log lines of the affinity reads, as much of them as does not depend on time or the port. */
const accessLines = (lines: LogLine[]) =>
  lines
    .filter((l) => l.msg === 'request completed' && l.req?.url.includes('/affinities'))
    .map((l) => ({ level: l.level, method: l.req!.method, url: l.req!.url, status: l.res!.statusCode, id: l.req!.id }));

describe('hot read path', () => {
  it("answers a held person's segment of one itself, with the Express route's bytes, counts and log lines", async () => {
    const key = await newKey();
    const path = `/v1/users/${user('mix')}/affinities`;
    const before = await hotAnswers(hot);
    // The key's first use goes through Express (its principal is not cached yet); later ones are answered hot.
    const first = await same(path, key);
    expect(first.status).toBe(200);
    expect(await hotAnswers(hot)).toBe(before);
    const again = await same(path, key, { 'x-request-id': `trace-${p}` });
    expect(JSON.parse(again.body)).toMatchObject({ user: `crm:${p}-mix`, segments: expect.any(Array) });
    expect((JSON.parse(again.body) as { segments: unknown[] }).segments.length).toBeGreaterThan(0);
    await same(`${path}?asOf=2026-01-01T00:00:00Z`, key);
    // The same person by another address: the document kept for the first one, with this address as "user".
    const store = hot.services.affinity.sync.store;
    const userId = store.userId(store.resolve(`crm:${p}-mix`)!)!;
    const other = await same(`/v1/users/${encodeURIComponent(userId)}/affinities`, key);
    expect(JSON.parse(other.body)).toEqual({ ...(JSON.parse(again.body) as object), user: userId });
    expect(await hotAnswers(hot)).toBe(before + 3);
    expect(await hotAnswers(plain)).toBe(0);

    // The metrics count these answers as Express counts its own.
    expect(await counted(hot, 200)).toBe(await counted(plain, 200));
    expect(await timed(hot, 200)).toBe(await counted(hot, 200));
    expect(await timed(plain, 200)).toBe(await counted(plain, 200));
    // One access line each, at the same level, with the caller's request id.
    const [h, q] = [accessLines(logs.hot), accessLines(logs.plain)];
    expect(h.map(({ id: _id, ...rest }) => rest)).toEqual(q.map(({ id: _id, ...rest }) => rest));
    expect(h.filter((l) => l.id === `trace-${p}`)).toHaveLength(1);
    expect(q.filter((l) => l.id === `trace-${p}`)).toHaveLength(1);
  });

  it('counts its answers in the per-key rate limit: the same remaining figures, then the same 429', async () => {
    const key = await newKey();
    const before = await hotAnswers(hot);
    for (let i = 0; i < LIMIT; i++) {
      const res = await same(`/v1/users/${user(`a${i % 5}`)}/affinities`, key);
      expect(res.status).toBe(200);
    }
    const over = await same(`/v1/users/${user('a1')}/affinities`, key);
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body)).toMatchObject({ status: 429 });
    // All but the key's first request (its principal not cached yet) and the one over the limit were answered hot.
    expect(await hotAnswers(hot)).toBe(before + LIMIT - 1);
    expect(await counted(hot, 429)).toBe(await counted(plain, 429));
  });

  it('leaves every other request to Express, which answers it as before', async () => {
    const key = await newKey();
    const mix = `/v1/users/${user('mix')}/affinities`;
    const before = await hotAnswers(hot);
    const cases: Array<[string, number]> = [
      [`/v1/users/${user('nobody')}/affinities`, 404],
      [`${mix}?asOf=yesterday`, 400],
      [`${mix}?asOf=2026-01-01T00:00:00%2B01:00`, 200],
      [`${mix}?asOf=2026-01-01T00:00:00Z&asOf=2026-01-02T00:00:00Z`, 400],
      [`/v1/users/${encodeURIComponent('crm:x\n')}/affinities`, 400],
      ['/v1/users/%E0%A4%A/affinities', 400],
      [`/v1/users/${'x'.repeat(301)}/affinities`, 400],
      [`${mix}/`, 200],
      [`/v1/users/${encodeURIComponent(`  crm:${p}-mix `)}/affinities`, 200],
    ];
    // More requests than one key's limit: a fresh key every other one (`key`, used before the last case, is cached).
    for (const [i, [path, status]] of cases.entries()) {
      expect((await same(path, i % 2 === 0 ? key : await newKey())).status, path).toBe(status);
    }
    expect((await same(mix.replace('/v1/users/', '/V1/USERS/'), await newKey())).status).toBe(200);
    expect((await same(mix, await newKey(), { cookie: 'sid=s%3Anot-a-session.sig' })).status).toBe(200);
    expect((await same(mix, await newKey('ingest'))).status).toBe(403);
    expect((await same(mix, undefined)).status).toBe(401);
    expect((await same(mix, 'nss_not-a-share-link')).status).toBe(401);
    // Only the one above that is the simple case (a plain URL; the whitespace is trimmed as the route trims it) was
    // answered hot; its key had been used before.
    expect(await hotAnswers(hot)).toBe(before + 1);
    // Both apps logged the same access lines for all of it.
    const [h, q] = [accessLines(logs.hot), accessLines(logs.plain)];
    expect(h.map(({ id: _id, ...rest }) => rest)).toEqual(q.map(({ id: _id, ...rest }) => rest));
  });

  it('after failed key checks from an address, defers to the failure budget like Express', async () => {
    // Each wrong key is a failure counted against this address; past the budget a right key gets 429 too.
    const key = await newKey();
    expect((await same(`/v1/users/${user('mix')}/affinities`, key)).status).toBe(200);
    for (let i = 0; ; i++) {
      const status = (await same(`/v1/users/${user('mix')}/affinities`, 'nsk_wrong')).status;
      if (status === 429) break;
      expect(status).toBe(401);
      expect(i).toBeLessThan(LIMIT);
    }
    const before = await hotAnswers(hot);
    const res = await same(`/v1/users/${user('mix')}/affinities`, key);
    expect(res.status).toBe(429);
    expect(await hotAnswers(hot)).toBe(before);
  });
});
