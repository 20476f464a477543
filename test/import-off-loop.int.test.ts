import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { IngestService } from '../src/ingest/ingest-service.js';
import { useTestApp, type TestApp } from './support/app.js';

let t: TestApp;
let key: string;
useTestApp('ingest', (app, k) => ([t, key] = [app, k]));
afterAll(() => {
  vi.restoreAllMocks();
});

describe('imports and events off the request loop', () => {
  it('parses, validates and writes HTTP bodies in a worker thread, then announces the changed people on the request loop', async () => {
    // The worker has its own copy of the ingestion modules: spies on this thread's copy see no call.
    const storeProfiles = vi.spyOn(IngestService.prototype, 'storeProfiles');
    const storeEvents = vi.spyOn(IngestService.prototype, 'storeEvents');
    const changed: string[][] = [];
    t.services.hooks.on('interestsChanged', ({ userIds }) => void changed.push(userIds));
    const p = randomUUID().slice(0, 8);

    const res = await t.call('POST', '/v1/imports/profiles', {
      key,
      raw: [JSON.stringify({ externalId: `${p}-1`, interests: [{ topic: `${p} Kayaking` }] }), '{broken'].join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      imported: 1,
      rejected: [{ line: 2, errors: [expect.stringMatching(/not valid JSON/)] }],
      suppressed: [],
    });
    const userId = await t.services.users.resolve(`crm:${p}-1`);
    expect(userId).toBeDefined();
    expect(changed).toEqual([[userId]]);

    const ev = await t.call('POST', '/v1/events', {
      key,
      body: {
        events: [
          { id: `${p}-e1`, user: `crm:${p}-1`, topic: `${p} Canoes`, kind: 'like' },
          { id: `${p}-e2`, kind: 'like' },
        ],
      },
    });
    expect(ev.status).toBe(202);
    expect(await ev.json()).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ line: 2, id: `${p}-e2` }] });
    expect(changed).toEqual([[userId], [userId]]);
    expect((await t.services.users.listInterests(userId!)).map((i) => i.name).sort()).toEqual([`${p} Canoes`, `${p} Kayaking`]);

    expect(storeProfiles).not.toHaveBeenCalled();
    expect(storeEvents).not.toHaveBeenCalled();
  });

  it('answers 400 for an events body that is not JSON and 415 for a charset it cannot read', async () => {
    const bad = await t.call('POST', '/v1/events', { key, raw: '{"events": [', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { type: string }).type).toMatch(/malformed-body$/);
    const empty = await t.call('POST', '/v1/events', { key, raw: '', headers: { 'content-type': 'application/json' } });
    expect(empty.status).toBe(400);
    const charset = await t.call('POST', '/v1/imports/profiles', {
      key,
      raw: '{"externalId": "x"}',
      headers: { 'content-type': 'application/x-ndjson; charset=klingon' },
    });
    expect(charset.status).toBe(415);
  });
});
