import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { importProfiles, sleep } from './support/dashboard-seed.js';
import { startOwnNeo4j, type OwnNeo4j } from './support/own-neo4j.js';

/**
 * The database is emptied (or restored from an older backup) under two running API processes: the change feed's log
 * starts again at sequence 1. A process that followed the old log must notice and reload, not wait for sequence
 * numbers it has already passed: an erasure through A shows in B after the emptying too. The file empties its
 * database itself, so it has its own.
 */

const p = randomUUID().slice(0, 8);
const crm = (id: string) => `crm:${p}-${id}`;
let db: OwnNeo4j;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  db = await startOwnNeo4j();
  a = await startTestApp(db.env, { applySchema: true });
  b = await startTestApp(db.env);
}, 180_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await db?.stop();
});

describe('a database emptied under running processes', () => {
  it('an erasure through A still shows in B: B sees the new change log and reloads', async () => {
    const affinities = (t: TestApp, key: string, id: string) =>
      t.call('GET', `/v1/users/${encodeURIComponent(crm(id))}/affinities`, { key });
    // Several entries in the feed, which B reads: its position is past what the new log will hold below.
    const ingest = await a.keyFor('ingest');
    for (const id of ['before-1', 'before-2', 'before-3']) {
      await importProfiles(a, ingest, [{ externalId: `${p}-${id}`, interests: [{ topic: `Kayaking ${p}` }] }]);
    }
    await b.services.feed.poll();

    await a.db.write('test/wipe-graph', {}, { deadline: 'batch' });
    // The keys went with everything else.
    const adminA = (await a.services.apiKeys.create('admin after the wipe', 'admin')).key;
    const adminB = (await b.services.apiKeys.create('admin after the wipe', 'admin')).key;
    const ingestA = (await a.services.apiKeys.create('ingest after the wipe', 'ingest')).key;

    await importProfiles(a, ingestA, [{ externalId: `${p}-after`, interests: [{ topic: `Kayaking ${p}` }] }]);
    // B holds the person (a read loads them), so what is checked is B forgetting them.
    expect((await affinities(b, adminB, 'after')).status).toBe(200);
    expect((await a.call('DELETE', `/v1/users/${encodeURIComponent(crm('after'))}`, { key: adminA })).status).toBe(204);
    const since = Date.now();
    let status = 200;
    // B looks at the log's head every 40 polls (10 s at the default 250 ms).
    while (Date.now() - since < 30_000) {
      status = (await affinities(b, adminB, 'after')).status;
      if (status === 404) break;
      await sleep(100);
    }
    expect(status).toBe(404);
  });
});
