import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { useTestApp, type TestApp } from './support/app.js';

let t: TestApp;
let key: string;
useTestApp('ingest', (app, k) => ([t, key] = [app, k]));

const uid = () => randomUUID().slice(0, 8);
type Result = { accepted: number; duplicates: number; rejected: Array<{ line: number; id?: string; errors: string[] }> };

async function post(events: unknown[]): Promise<{ status: number; body: Result }> {
  const res = await t.call('POST', '/v1/events', { key, body: { events } });
  return { status: res.status, body: (await res.json()) as Result };
}

async function newUser(p: string): Promise<string> {
  const res = await t.call('POST', '/v1/imports/profiles', { key, body: [{ externalId: `${p}-u`, interests: [] }] });
  expect(res.status).toBe(200);
  return (await t.services.users.resolve(`crm:${p}-u`))!;
}

const weights = async (userId: string) =>
  Object.fromEntries((await t.services.users.listInterests(userId)).map((i) => [i.name, { weight: i.weight, sources: i.sources }]));

describe('POST /v1/events', () => {
  it('accepts new events, counts repeated ids as duplicates (also within one request) and rejects bad ones', async () => {
    const p = uid();
    const userId = await newUser(p);
    const user = `crm:${p}-u`;
    const at = '2026-10-03T10:00:00Z';
    const first = await post([
      { id: `${p}-1`, user, topic: `${p} Trail running`, category: 'Sport', kind: 'like', at },
      { id: `${p}-2`, user: userId, topic: `${p} trail  RUNNING`, kind: 'view', weight: 2, at },
      { id: `${p}-1`, user, topic: `${p} Trail running`, kind: 'like', at },
      { id: `${p}-3`, user: `crm:${p}-nobody`, topic: 'x', kind: 'like' },
      { id: `${p}-4`, user, topic: 'x', kind: 'poke' },
      { id: `${p}-5`, user, topic: 'x', kind: 'like', mood: 'happy' },
    ]);
    expect(first.status).toBe(202);
    expect(first.body.accepted).toBe(2);
    expect(first.body.duplicates).toBe(1);
    expect(first.body.rejected.map((r) => [r.line, r.id])).toEqual([
      [4, `${p}-3`],
      [5, `${p}-4`],
      [6, `${p}-5`],
    ]);
    expect(first.body.rejected[0]!.errors[0]).toMatch(/unknown user/);
    expect(first.body.rejected[1]!.errors.join(' ')).toMatch(/kind/);
    expect(first.body.rejected[2]!.errors.join(' ')).toMatch(/mood/);
    // like 1 + view 2 × 0.25 on the same normalized topic
    expect(await weights(userId)).toEqual({ [`${p} Trail running`]: { weight: 1.5, sources: ['events'] } });

    const replay = await post([
      { id: `${p}-1`, user, topic: `${p} Trail running`, kind: 'like', at },
      { id: `${p}-2`, user, topic: `${p} Trail running`, kind: 'view', weight: 2, at },
    ]);
    expect(replay.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect(await weights(userId)).toEqual({ [`${p} Trail running`]: { weight: 1.5, sources: ['events'] } });

    // the unknown user's event was not stored: once the user exists it is accepted
    const late = await post([{ id: `${p}-3`, user, topic: `${p} Late`, kind: 'like' }]);
    expect(late.body).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('unlike removes only the like signal; purchases add a PURCHASED edge and interest weight', async () => {
    const p = uid();
    const userId = await newUser(p);
    const user = `crm:${p}-u`;
    await post([
      { id: `${p}-a`, user, topic: `${p} Chess`, kind: 'like', weight: 3, at: '2026-10-01T00:00:00Z' },
      { id: `${p}-b`, user, topic: `${p} Go`, kind: 'like', at: '2026-10-01T00:00:00Z' },
      { id: `${p}-c`, user, topic: `${p} Go`, kind: 'view', weight: 4, at: '2026-10-01T00:00:00Z' },
      { id: `${p}-d`, user, topic: `${p} Boards`, kind: 'purchase', sku: 'B-1', amount: 20, at: '2026-10-02T00:00:00Z' },
    ]);
    const res = await post([
      { id: `${p}-e`, user, topic: `${p} chess`, kind: 'unlike', at: '2026-10-04T00:00:00Z' },
      { id: `${p}-f`, user, topic: `${p} go`, kind: 'unlike', at: '2026-10-04T00:00:00Z' },
      { id: `${p}-g`, user, topic: `${p} Boards`, kind: 'purchase', weight: 2, at: '2026-10-05T00:00:00Z' },
      { id: `${p}-h`, user, topic: `${p} Never liked`, kind: 'unlike' },
    ]);
    expect(res.body).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    const w = await weights(userId);
    expect(w).toEqual({
      [`${p} Go`]: { weight: 1, sources: ['events'] },
      [`${p} Boards`]: { weight: 3, sources: ['purchase'] },
    });
    const boards = (await t.services.users.listInterests(userId)).find((i) => i.topicId === topicId(`${p} boards`));
    expect(boards).toMatchObject({ firstSeen: '2026-10-02T00:00:00.000Z', lastSeen: '2026-10-05T00:00:00.000Z' });
  });

  it('never re-adds an interest the person removed', async () => {
    const p = uid();
    const userId = await newUser(p);
    await post([{ id: `${p}-1`, user: userId, topic: `${p} Golf`, kind: 'like' }]);
    await t.services.users.removeInterest(userId, topicId(`${p} golf`));
    const res = await post([{ id: `${p}-2`, user: userId, topic: `${p} GOLF`, kind: 'view' }]);
    expect(res.body.accepted).toBe(1);
    expect(await weights(userId)).toEqual({});
  });

  it('rejects a malformed envelope as a whole with 400, and never answers 500', async () => {
    const missing = await t.call('POST', '/v1/events', { key, body: { items: [] } });
    expect(missing.status).toBe(400);
    const broken = await t.call('POST', '/v1/events', { key, raw: '{"events": [', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const wrongType = await t.call('POST', '/v1/events', { key, raw: 'x', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
  });
});
