import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicId } from '../src/graph/topic-key.js';
import { startTestApp, type TestApp } from './support/app.js';

let t: TestApp;
let ingestKey: string;
beforeAll(async () => {
  t = await startTestApp();
  ingestKey = await t.keyFor('ingest');
});
afterAll(async () => {
  await t.close();
});

const uid = () => randomUUID().slice(0, 8);
const ndjson = (records: unknown[]) => records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

function importNdjson(body: string, key = ingestKey) {
  return t.call('POST', '/v1/imports/profiles', { key, raw: body, headers: { 'content-type': 'application/x-ndjson' } });
}

async function interestsOf(ref: string) {
  const userId = await t.services.users.resolve(ref);
  expect(userId, `user ${ref}`).toBeDefined();
  return t.services.users.listInterests(userId!);
}

describe('POST /v1/imports/profiles', () => {
  it('imports NDJSON, rejects invalid lines by line number with reasons, and stores the valid ones', async () => {
    const p = uid();
    const body = ndjson([
      {
        externalId: `${p}-a`,
        name: 'Ana',
        interests: [{ topic: `${p} Trail running`, category: 'Sport', weight: 2, at: '2026-10-01T10:00:00Z' }],
      },
      { externalId: `${p}-b`, interests: [{ topic: `${p} Yoga`, weight: -1 }], favouriteColour: 'red' },
      '',
      {
        externalId: `${p}-c`,
        interests: [{ topic: `${p} Yoga` }],
        purchases: [{ sku: 'SKU-9', category: `${p} Running shoes`, amount: 89.9, at: '2026-10-02T08:00:00Z' }],
      },
      '{"externalId": "broken"',
    ]);
    const res = await importNdjson(body);
    expect(res.status).toBe(200);
    const out = (await res.json()) as { imported: number; rejected: Array<{ line: number; externalId?: string; errors: string[] }> };
    expect(out.imported).toBe(2);
    expect(out.rejected.map((r) => r.line)).toEqual([2, 5]);
    expect(out.rejected[0]!.externalId).toBe(`${p}-b`);
    expect(out.rejected[0]!.errors.join(' ')).toContain('favouriteColour');
    expect(out.rejected[0]!.errors.join(' ')).toMatch(/interests\.0\.weight/);
    expect(out.rejected[1]!.errors[0]).toMatch(/not valid JSON/);

    const a = await interestsOf(`crm:${p}-a`);
    expect(a).toEqual([
      expect.objectContaining({
        name: `${p} Trail running`,
        category: 'Sport',
        weight: 2,
        sources: ['crm'],
        firstSeen: '2026-10-01T10:00:00.000Z',
        lastSeen: '2026-10-01T10:00:00.000Z',
      }),
    ]);
    const c = await interestsOf(`crm:${p}-c`);
    expect(c.map((i) => [i.name, i.weight, i.sources])).toEqual(
      expect.arrayContaining([
        [`${p} Yoga`, 1, ['crm']],
        [`${p} Running shoes`, 1, ['purchase']],
      ]),
    );
    expect(await t.services.users.resolve(`crm:${p}-b`)).toBeUndefined();
  });

  it('imports a JSON array and numbers rejections by index + 1', async () => {
    const p = uid();
    const res = await t.call('POST', '/v1/imports/profiles', {
      key: t.adminKey,
      body: [
        { externalId: `${p}-1`, interests: [{ topic: 'Chess' }] },
        { interests: [{ topic: 'Chess' }] },
        { externalId: `${p}-3`, email: 'not-an-email', interests: [] },
      ],
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { imported: number; rejected: Array<{ line: number; externalId?: string; errors: string[] }> };
    expect(out.imported).toBe(1);
    expect(out.rejected.map((r) => r.line)).toEqual([2, 3]);
    expect(out.rejected[0]!.errors.join(' ')).toMatch(/externalId/);
    expect(out.rejected[1]).toMatchObject({ externalId: `${p}-3` });
    expect(out.rejected[1]!.errors.join(' ')).toMatch(/email/);
    expect(await t.services.users.resolve(`crm:${p}-1`)).toBeDefined();
  });

  it('is idempotent: importing the same file twice leaves users, topics, weights and times unchanged', async () => {
    const p = uid();
    const records = Array.from({ length: 5 }, (_, i) => ({
      externalId: `${p}-${i}`,
      email: `${p}-${i}@example.org`,
      interests: [
        { topic: `${p} topic ${i % 2}`, weight: 1 + i, at: '2026-09-01T00:00:00Z' },
        { topic: `${p} shared`, category: 'Misc' },
        { topic: `${p} SHARED` },
      ],
      purchases: [{ sku: `S${i}`, category: `${p} gear`, amount: 10, at: '2026-09-02T00:00:00Z' }],
      consent: { segmentation: i !== 0 },
    }));
    const snapshot = async () => {
      const users = [];
      for (const r of records) {
        const id = await t.services.users.resolve(`crm:${r.externalId}`);
        users.push({ id, user: await t.services.users.get(id!), interests: await t.services.users.listInterests(id!) });
      }
      const [counts] = await t.db.read<{ topics: number; identities: number; purchases: number }>('graph/count-ingest', { prefix: p });
      return { users, counts };
    };
    expect((await (await importNdjson(ndjson(records))).json()) as object).toEqual({ imported: 5, rejected: [], suppressed: [] });
    const before = await snapshot();
    expect(before.counts).toEqual({ topics: 4, identities: 5, purchases: 5 });
    // "shared" and "SHARED" are one topic: weights add up within the record
    expect(before.users[0]!.interests.find((i) => i.name === `${p} shared`)).toMatchObject({ weight: 2, category: 'Misc' });
    expect(before.users[0]!.user).toMatchObject({ consentSegmentation: false });
    expect(before.users[1]!.user).toMatchObject({ consentSegmentation: true });

    expect((await (await importNdjson(ndjson(records))).json()) as object).toEqual({ imported: 5, rejected: [], suppressed: [] });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps the last record of an externalId across the write batches of one body, so re-importing it changes nothing', async () => {
    const small = await startTestApp({ INGEST_BATCH_RECORDS: '2' });
    try {
      const p = uid();
      const body = ndjson([
        { externalId: `${p}-a`, interests: [{ topic: `${p} old` }] },
        { externalId: `${p}-b`, interests: [{ topic: `${p} b` }] },
        { externalId: `${p}-c`, interests: [{ topic: `${p} c` }] },
        { externalId: `${p}-a`, interests: [{ topic: `${p} new` }] },
      ]);
      const post = () =>
        small.call('POST', '/v1/imports/profiles', { key: small.adminKey, raw: body, headers: { 'content-type': 'application/x-ndjson' } });
      expect((await post()).status).toBe(200);
      const before = await interestsOf(`crm:${p}-a`);
      expect(before.map((i) => i.name)).toEqual([`${p} new`]);
      expect((await post()).status).toBe(200);
      // Split over two batches, the first dropped what the second re-created: its times were those of the re-import.
      expect(await interestsOf(`crm:${p}-a`)).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it('keeps every CRM record of a person stitched by email: each one replaces only its own interests', async () => {
    const p = uid();
    const email = `twin.${p}@example.org`;
    const a = { externalId: `${p}-a`, email, interests: [{ topic: `${p} chess`, weight: 2 }, { topic: `${p} shared` }] };
    const b = { externalId: `${p}-b`, email, interests: [{ topic: `${p} golf` }, { topic: `${p} shared`, weight: 3 }] };
    await importNdjson(ndjson([a]));
    await importNdjson(ndjson([b]));
    const userId = await t.services.users.resolve(`crm:${p}-a`);
    expect(await t.services.users.resolve(`crm:${p}-b`)).toBe(userId);
    const weights = async () => Object.fromEntries((await interestsOf(`crm:${p}-a`)).map((i) => [i.name, i.weight]));
    expect(await weights()).toEqual({ [`${p} chess`]: 2, [`${p} golf`]: 1, [`${p} shared`]: 4 });
    const before = await interestsOf(`crm:${p}-a`);

    await importNdjson(ndjson([a]));
    await importNdjson(ndjson([b, a]));
    expect(await interestsOf(`crm:${p}-a`)).toEqual(before);

    // b's record no longer lists golf and lowers shared: a's interests stay as they were
    await importNdjson(ndjson([{ ...b, interests: [{ topic: `${p} shared` }] }]));
    expect(await weights()).toEqual({ [`${p} chess`]: 2, [`${p} shared`]: 2 });
  });

  it('combines two new records with one email in one body into one person with both records’ interests', async () => {
    const p = uid();
    const email = `pair.${p}@example.org`;
    const body = ndjson([
      { externalId: `${p}-a`, email, interests: [{ topic: `${p} x` }] },
      { externalId: `${p}-b`, email, interests: [{ topic: `${p} x`, weight: 2 }, { topic: `${p} y` }] },
    ]);
    await importNdjson(body);
    const weights = Object.fromEntries((await interestsOf(`crm:${p}-b`)).map((i) => [i.name, i.weight]));
    expect(weights).toEqual({ [`${p} x`]: 3, [`${p} y`]: 1 });
    const before = await interestsOf(`crm:${p}-a`);
    await importNdjson(body);
    expect(await interestsOf(`crm:${p}-a`)).toEqual(before);
  });

  it('lets a person’s own consent choice outrank what a later CRM import says', async () => {
    const p = uid();
    const record = { externalId: `${p}-c`, interests: [{ topic: `${p} t` }], consent: { segmentation: true } };
    await importNdjson(ndjson([record]));
    const userId = (await t.services.users.resolve(`crm:${p}-c`))!;
    await t.services.privacy.consent.setByPerson(userId, { segmentation: false });
    await importNdjson(ndjson([record]));
    expect(await t.services.users.get(userId)).toMatchObject({ consentSegmentation: false });
    // A CRM flag still applies to people who never chose themselves.
    await importNdjson(ndjson([{ externalId: `${p}-d`, consent: { segmentation: true } }]));
    await importNdjson(ndjson([{ externalId: `${p}-d`, consent: { segmentation: false } }]));
    const other = (await t.services.users.resolve(`crm:${p}-d`))!;
    expect(await t.services.users.get(other)).toMatchObject({ consentSegmentation: false });
  });

  it('reads bodies that start with a byte-order mark, NDJSON and JSON alike', async () => {
    const p = uid();
    const nd = await importNdjson('\uFEFF' + ndjson([{ externalId: `${p}-bom1` }]));
    expect(await nd.json()).toEqual({ imported: 1, rejected: [], suppressed: [] });
    const js = await t.call('POST', '/v1/imports/profiles', {
      key: ingestKey,
      raw: '\uFEFF' + JSON.stringify([{ externalId: `${p}-bom2` }]),
      headers: { 'content-type': 'application/json' },
    });
    expect(await js.json()).toEqual({ imported: 1, rejected: [], suppressed: [] });
  });

  it('trims whitespace around external ids, as user references are trimmed', async () => {
    const p = uid();
    expect((await (await importNdjson(ndjson([{ externalId: `  ${p}-w `, interests: [{ topic: `${p} t` }] }]))).json()) as object).toEqual({
      imported: 1,
      rejected: [],
      suppressed: [],
    });
    expect(await t.services.users.resolve(`crm:${p}-w`)).toBeDefined();
    const blank = (await (await importNdjson(ndjson([{ externalId: '   ' }]))).json()) as { rejected: unknown[] };
    expect(blank.rejected).toHaveLength(1);
  });

  it('treats a record as the source snapshot: interests the CRM no longer lists lose their CRM weight', async () => {
    const p = uid();
    await importNdjson(ndjson([{ externalId: `${p}-x`, interests: [{ topic: `${p} a` }, { topic: `${p} b`, weight: 3 }] }]));
    await importNdjson(ndjson([{ externalId: `${p}-x`, interests: [{ topic: `${p} b`, weight: 4 }] }]));
    const list = await interestsOf(`crm:${p}-x`);
    expect(list.map((i) => [i.name, i.weight])).toEqual([[`${p} b`, 4]]);
  });

  it('answers 415 for other content types, 400 for malformed bodies and 413 for oversize ones', async () => {
    const wrongType = await t.call('POST', '/v1/imports/profiles', {
      key: ingestKey,
      raw: 'externalId,topic',
      headers: { 'content-type': 'text/csv' },
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toMatch(/problem\+json/);

    const garbage = await importNdjson('this is not json\nneither is this');
    expect(garbage.status).toBe(400);
    const g = (await garbage.json()) as { type: string; detail: string; errors: unknown[] };
    expect(g.type).toMatch(/malformed-body$/);
    expect(g.errors).toHaveLength(2);

    const badJson = await t.call('POST', '/v1/imports/profiles', {
      key: ingestKey,
      raw: '[{"externalId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const notArray = await t.call('POST', '/v1/imports/profiles', { key: ingestKey, body: { externalId: 'x' } });
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { detail: string }).detail).toMatch(/array/);

    const small = await startTestApp({ BODY_LIMIT: '2kb' });
    try {
      const big = ndjson(Array.from({ length: 100 }, (_, i) => ({ externalId: `big-${i}`, interests: [{ topic: 'Big' }] })));
      const res = await small.call('POST', '/v1/imports/profiles', {
        key: small.adminKey,
        raw: big,
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { type: string }).type).toMatch(/payload-too-large$/);
    } finally {
      await small.close();
    }
  });

  it('requires the ingest or admin role', async () => {
    const body = ndjson([{ externalId: `${uid()}-r` }]);
    expect((await importNdjson(body, '')).status).toBe(401);
    expect((await importNdjson(body, await t.keyFor('content'))).status).toBe(403);
    expect((await importNdjson(body, await t.keyFor('marketer'))).status).toBe(403);
    const events = await t.call('POST', '/v1/events', { key: await t.keyFor('marketer'), body: { events: [] } });
    expect(events.status).toBe(403);
    expect((await t.call('POST', '/v1/events', { body: { events: [] } })).status).toBe(401);
  });

  it('describes the routes and the record schema in the OpenAPI document', async () => {
    const doc = (await (await t.call('GET', '/openapi.json')).json()) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/v1/imports/profiles']!.post!.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
    expect(doc.paths['/v1/events']).toHaveProperty('post');
    expect(doc.components.schemas).toHaveProperty('ProfileRecord');
    expect(doc.components.schemas).toHaveProperty('EventInput');
  });
});

describe('identity stitching, topic normalization, Facebook likes', () => {
  it('makes a CRM record and a Facebook login with the same email one user, addressable by both refs', async () => {
    const p = uid();
    await importNdjson(
      ndjson([
        {
          externalId: `${p}-crm`,
          email: `Ana.${p}@Example.org`,
          name: 'Ana',
          interests: [{ topic: `${p} Trail Running`, category: 'Sport', at: '2026-10-01T00:00:00Z' }],
        },
      ]),
    );
    const crmUser = await t.services.users.resolve(`crm:${p}-crm`);
    const { userId } = await t.services.ingest.ingestFacebook({ id: `fb${p}`, name: 'Ana F', email: ` ana.${p}@example.org ` }, [
      { id: '1', name: `  ${p}  trail   running `, category: 'Interest', created_time: '2026-10-05T09:00:00+0000' },
      { id: '2', name: `${p} Chess` },
    ]);
    expect(userId).toBe(crmUser);
    expect(await t.services.users.resolve(`facebook:fb${p}`)).toBe(userId);
    expect(await t.services.users.resolve(userId)).toBe(userId);
    const user = await t.services.users.get(userId);
    expect(user).toMatchObject({ id: userId, consentSegmentation: true, identities: [`crm:${p}-crm`, `facebook:fb${p}`].sort() });
    expect(typeof user!.createdAt).toBe('string');

    const interests = await t.services.users.listInterests(userId);
    const trail = interests.filter((i) => i.topicId === topicId(`${p} trail running`));
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ name: `${p} Trail Running`, category: 'Sport', weight: 2, sources: ['crm', 'facebook'] });
    expect(trail[0]).toMatchObject({ firstSeen: '2026-10-01T00:00:00.000Z', lastSeen: '2026-10-05T09:00:00.000Z' });
    // the raw email is not stored anywhere on the user
    const [raw] = await t.db.read<{ props: Record<string, unknown> }>('graph/get-user-props', { userId });
    expect(JSON.stringify(raw!.props)).not.toMatch(/example\.org/i);
  });

  it('replaces the Facebook weight with the current likes and never re-adds a removed interest', async () => {
    const p = uid();
    const fb = { id: `fb2${p}`, email: `bo.${p}@example.org` };
    const { userId } = await t.services.ingest.ingestFacebook(fb, [{ name: `${p} A` }, { name: `${p} B` }, { name: `${p} C` }]);
    await importNdjson(ndjson([{ externalId: `${p}-bo`, email: fb.email, interests: [{ topic: `${p} B` }] }]));
    const removed = topicId(`${p} C`);
    await t.services.users.removeInterest(userId, removed);
    await expect(t.services.users.removeInterest(userId, removed)).rejects.toMatchObject({ status: 404 });

    // B is no longer liked: it keeps its CRM weight; A disappears; C stays removed
    await t.services.ingest.ingestFacebook(fb, [{ name: `${p} A` }, { name: `${p} C` }, { name: `${p} D` }]);
    await t.services.ingest.ingestFacebook(fb, [{ name: `${p} C` }, { name: `${p} D` }]);
    await importNdjson(ndjson([{ externalId: `${p}-bo`, email: fb.email, interests: [{ topic: `${p} B` }, { topic: `${p} C` }] }]));
    const list = await t.services.users.listInterests(userId);
    expect(list.map((i) => [i.name, i.sources]).sort()).toEqual([
      [`${p} B`, ['crm']],
      [`${p} D`, ['facebook']],
    ]);
  });

  it('announces every change through interestsChanged before returning', async () => {
    const p = uid();
    const seen: string[][] = [];
    t.services.hooks.on('interestsChanged', ({ userIds }) => {
      seen.push(userIds);
    });
    await importNdjson(ndjson([{ externalId: `${p}-h`, interests: [{ topic: `${p} x` }] }]));
    const id = await t.services.users.resolve(`crm:${p}-h`);
    expect(seen.some((s) => s.includes(id!))).toBe(true);
    seen.length = 0;
    await t.services.privacy.consent.setByPerson(id!, { segmentation: false });
    expect(seen).toEqual([[id]]);
    expect(await t.services.users.get(id!)).toMatchObject({ consentSegmentation: false });
    await expect(t.services.privacy.consent.setByPerson('no-such-user', { segmentation: true })).rejects.toMatchObject({ status: 404 });
  });

  it('erases a user with identities and relationships, keeping the topics others hold and deleting those only they held', async () => {
    const p = uid();
    await importNdjson(
      ndjson([
        {
          externalId: `${p}-e`,
          interests: [{ topic: `${p} keep me` }, { topic: `${p} only mine` }],
          purchases: [{ sku: 'x', category: `${p} cat` }],
        },
        { externalId: `${p}-other`, interests: [{ topic: `${p} keep me` }] },
      ]),
    );
    const id = (await t.services.users.resolve(`crm:${p}-e`))!;
    await t.services.users.erase(id, 'system');
    expect(await t.services.users.resolve(`crm:${p}-e`)).toBeUndefined();
    expect(await t.services.users.get(id)).toBeUndefined();
    const [counts] = await t.db.read<{ topics: number; identities: number }>('graph/count-ingest', { prefix: p });
    // `keep me` stays (the other person holds it); `only mine` and the purchase's `cat` went with the person.
    expect(counts).toMatchObject({ topics: 1, identities: 1 });
    await expect(t.services.users.erase(id, 'system')).rejects.toMatchObject({ status: 404 });
  });
});
