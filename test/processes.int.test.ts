import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { importProfiles, runSegmentation, sleep } from './support/dashboard-seed.js';
import { banner, startMain, type MainChild } from './support/main-process.js';

/**
 * Two API processes against one Neo4j: this test's app (A) and `npm start` as a process of its own (B). What one of
 * them changes about a person shows in the other's next read within a second (the change feed), not after a cache
 * expires: an erasure, a consent withdrawal, an interest taken away.
 */

const stateDir = mkdtempSync(path.join(tmpdir(), 'ns-processes-'));
const p = randomUUID().slice(0, 8);
const crm = (id: string) => `crm:${p}-${id}`;
const SECRET_KEY = 'test-secret-key-0123456789';
const ADMIN_KEY = `processes-admin-${p}-0123456789`;
const A_TOPICS = [1, 2, 3].map((i) => `Sailing ${p} ${i}`);
const B_TOPICS = [1, 2, 3].map((i) => `Chess ${p} ${i}`);

let a: TestApp;
let b: MainChild;
let bBase: string;
let ingestKey: string;

beforeAll(async () => {
  a = await startTestApp({}, { worker: 'process' });
  ingestKey = await a.keyFor('ingest');
  await importProfiles(
    a,
    ingestKey,
    ['x1', 'x2', 'x3', 'x4', 'gone', 'leaver', 'fickle'].map((id, i) => ({
      externalId: `${p}-${id}`,
      interests: [...(i % 2 ? A_TOPICS : B_TOPICS), ...(id === 'fickle' ? A_TOPICS : [])].map((topic) => ({ topic })),
    })),
  );
  await runSegmentation(a, await a.keyFor('marketer'));
  b = startMain(stateDir, { SECRET_KEY, ADMIN_API_KEY: ADMIN_KEY });
  bBase = (await banner(b)).base;
}, 180_000);

afterAll(async () => {
  if (b && b.exitCode === null) {
    const exited = new Promise((resolve) => b.once('exit', resolve));
    b.kill('SIGTERM');
    await exited;
  }
  await a?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const fromB = (route: string) => fetch(`${bBase}${route}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
const affinitiesPath = (user: string) => `/v1/users/${encodeURIComponent(user)}/affinities`;

/** Polls `probe` every 20 ms until it holds; how long that took after `since`. */
async function within(since: number, probe: () => Promise<boolean>, limitMs = 5000): Promise<number> {
  for (;;) {
    if (await probe()) return Date.now() - since;
    if (Date.now() - since > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await sleep(20);
  }
}

describe('two API processes against one Neo4j', () => {
  it('both serve the same segment of one', async () => {
    const inA = (await (await a.call('GET', affinitiesPath(crm('x1')), { key: a.adminKey })).json()) as { runId: string };
    expect(inA.runId).toBeTruthy();
    // B learns the visible run by polling, within a second of starting.
    await within(
      Date.now(),
      async () => ((await (await fromB(affinitiesPath(crm('x1')))).json()) as { runId: string }).runId === inA.runId,
    );
    expect(await (await fromB(affinitiesPath(crm('x1')))).json()).toEqual(inA);
  });

  it('an erasure through A is a 404 in B within a second, in audiences too', async () => {
    // B holds the person first (a read loads them), so what is measured is B forgetting them.
    const held = await fromB(affinitiesPath(crm('gone')));
    expect(held.status).toBe(200);
    const segment = ((await held.json()) as { segments: Array<{ segmentId: string }> }).segments[0]!.segmentId;
    const members = async () =>
      ((await (await fromB(`/v1/segments/${segment}/audience?limit=1000`)).json()) as { items: Array<{ user: string }> }).items.map(
        (m) => m.user,
      );
    expect(await members()).toContain(crm('gone'));
    const erased = await a.call('DELETE', `/v1/users/${encodeURIComponent(crm('gone'))}`, { key: a.adminKey });
    expect(erased.status).toBe(204);
    const took = await within(Date.now(), async () => (await fromB(affinitiesPath(crm('gone')))).status === 404);
    expect(took).toBeLessThan(1000);
    expect(await members()).not.toContain(crm('gone'));
  });

  it('a consent withdrawn through A empties the segment of one in B within a second', async () => {
    const before = (await (await fromB(affinitiesPath(crm('leaver')))).json()) as { segments: unknown[] };
    expect(before.segments.length).toBeGreaterThan(0);
    await importProfiles(a, ingestKey, [
      { externalId: `${p}-leaver`, interests: B_TOPICS.map((topic) => ({ topic })), consent: { segmentation: false } },
    ]);
    const took = await within(
      Date.now(),
      async () => ((await (await fromB(affinitiesPath(crm('leaver')))).json()) as { segments: unknown[] }).segments.length === 0,
    );
    expect(took).toBeLessThan(1000);
  });

  it('interests taken away through B show in A within a second', async () => {
    const segmentsIn = async () =>
      (
        (await (await a.call('GET', affinitiesPath(crm('fickle')), { key: a.adminKey })).json()) as {
          segments: Array<{ topics: string[] }>;
        }
      ).segments;
    expect((await segmentsIn()).flatMap((s) => s.topics)).toEqual(expect.arrayContaining([A_TOPICS[0]]));
    // The CRM record now lists only the B topics: the A interests go.
    const res = await fetch(`${bBase}/v1/imports/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ externalId: `${p}-fickle`, interests: B_TOPICS.map((topic) => ({ topic })) }]),
    });
    expect(res.status).toBe(200);
    const took = await within(Date.now(), async () => !(await segmentsIn()).flatMap((s) => s.topics).includes(A_TOPICS[0]!));
    expect(took).toBeLessThan(1000);
  });
});
