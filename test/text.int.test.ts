import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, startFakeFacebook, type FakeFacebook } from './support/fake-facebook.js';

// Ids and names with bytes or characters that would be stored, or would merge distinct ids once replaced by U+FFFD,
// are refused wherever they enter: import lines, events, references in paths and bodies, a Facebook login.

let fb: FakeFacebook;
let t: TestApp;
let ingest: string;
let content: string;
const p = randomUUID().slice(0, 8);

beforeAll(async () => {
  fb = await startFakeFacebook();
  t = await startTestApp(fb.env());
  [ingest, content] = await Promise.all([t.keyFor('ingest'), t.keyFor('content')]);
});
afterAll(async () => {
  await t?.close();
  await fb?.close();
});

const resolve = (ref: string) => t.services.users.resolve(ref);

function post(path: string, body: Buffer, contentType: string) {
  return fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingest}`, 'content-type': contentType },
    body: new Uint8Array(body),
  });
}

describe('ids and names with invalid text', () => {
  it('rejects NDJSON import lines with unpaired surrogates, NUL, CR/LF or invalid UTF-8 bytes by number, storing the valid lines', async () => {
    const line = (r: unknown) => Buffer.from(JSON.stringify(r), 'utf8');
    const lines = [
      line({ externalId: `${p}-ok1`, interests: [{ topic: `${p} kayaking` }] }),
      line({ externalId: `${p}-sur\ud800`, interests: [{ topic: `${p} kayaking` }] }),
      line({ externalId: `${p}-nul\u0000x`, interests: [] }),
      line({ externalId: `${p}-lf\n`, interests: [] }),
      line({ externalId: `${p}-named`, name: 'Ana\rBcc: x', interests: [] }),
      Buffer.concat([Buffer.from(`{"externalId":"${p}-bad`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","interests":[]}')]),
      line({ externalId: `${p}-topic`, interests: [{ topic: `${p} kayak\u0000ing` }] }),
      line({ externalId: `${p}-ok2`, interests: [{ topic: `${p} kayaking` }] }),
    ];
    const res = await post('/v1/imports/profiles', Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), 'application/x-ndjson');
    expect(res.status).toBe(200);
    const out = (await res.json()) as { imported: number; rejected: Array<{ line: number; errors: string[] }> };
    expect(out.imported).toBe(2);
    expect(out.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    for (const r of out.rejected.filter((x) => x.line !== 6))
      expect(r.errors.join(' '), `line ${r.line}`).toMatch(/control characters|surrogates/);
    expect(out.rejected.find((r) => r.line === 6)!.errors.join(' ')).toMatch(/not valid UTF-8/);

    expect(await resolve(`crm:${p}-ok1`)).toBeDefined();
    expect(await resolve(`crm:${p}-ok2`)).toBeDefined();
    // Neither the replaced spelling nor anything else of the refused lines was stored.
    for (const ref of [
      `crm:${p}-sur\ufffd`,
      `crm:${p}-bad\ufffd`,
      `crm:${p}-bad\ufffd\ufffd\ufffd`,
      `crm:${p}-named`,
      `crm:${p}-topic`,
      `crm:${p}-lf`,
    ]) {
      expect(await resolve(ref), ref).toBeUndefined();
    }
  });

  it('refuses a JSON import or an event batch whose bytes are not UTF-8 (400), storing nothing of it', async () => {
    const json = Buffer.concat([
      Buffer.from(`[{"externalId":"${p}-arr-ok"},{"externalId":"${p}-arr-`),
      Buffer.from([0xff]),
      Buffer.from('"}]'),
    ]);
    const imported = await post('/v1/imports/profiles', json, 'application/json');
    expect(imported.status).toBe(400);
    expect(imported.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await imported.json()) as { detail: string }).detail).toMatch(/not valid UTF-8/);
    expect(await resolve(`crm:${p}-arr-ok`)).toBeUndefined();

    const event = { id: `${p}-ev-ok`, user: `crm:${p}-ok1`, topic: `${p} canoe`, kind: 'like' };
    const events = Buffer.concat([
      Buffer.from(JSON.stringify({ events: [event] }).slice(0, -2)),
      Buffer.from(`,{"id":"${p}-ev-`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(`","user":"crm:${p}-ok1","topic":"x","kind":"like"}]}`),
    ]);
    const refused = await post('/v1/events', events, 'application/json');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { type: string }).type).toMatch(/malformed-body$/);
    // The valid event of that body was not recorded: sent again it is new, not a duplicate.
    const again = await t.call('POST', '/v1/events', { key: ingest, body: { events: [event] } });
    expect((await again.json()) as { accepted: number; duplicates: number }).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('rejects events whose id, user or topic holds control characters or unpaired surrogates, one by one', async () => {
    const ok = { id: `${p}-e1`, user: `crm:${p}-ok2`, topic: `${p} canoe`, kind: 'like' };
    const res = await t.call('POST', '/v1/events', {
      key: ingest,
      body: {
        events: [
          { ...ok, id: `${p}-e2\n` },
          { ...ok, id: `${p}-e3`, user: `crm:${p}-ok2\u0000` },
          { ...ok, id: `${p}-e4`, topic: `${p} can\udc00oe` },
          ok,
        ],
      },
    });
    expect(res.status).toBe(202);
    const out = (await res.json()) as { accepted: number; rejected: Array<{ line: number; errors: string[] }> };
    expect(out.accepted).toBe(1);
    expect(out.rejected.map((r) => r.line)).toEqual([1, 2, 3]);
    for (const r of out.rejected) expect(r.errors.join(' ')).toMatch(/control characters|surrogates/);
  });

  it('refuses such user references in paths and bodies with 400', async () => {
    for (const ref of [`crm%3A${p}-ok1%00`, `crm%3A${p}-ok1%0A`, `crm%3A${p}-ok1%0D`, `crm%3A${p}-ok1%ED%A0%80`, `crm%3A${p}-ok1%FF`]) {
      const res = await t.call('GET', `/v1/users/${ref}/affinities`, { key: content });
      expect(res.status, ref).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await t.call('DELETE', `/v1/users/${ref}`, { key: t.adminKey })).status, ref).toBe(400);
    }
    const batch = await t.call('POST', '/v1/affinities/batch', { key: content, body: { users: [`crm:${p}-ok1`, `crm:${p}-ok1\u0000`] } });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as { errors: Array<{ path: string }> }).errors[0]!.path).toBe('body.users.1');
    expect(await resolve(`crm:${p}-ok1`)).toBeDefined();
  });

  it('refuses a Facebook login whose profile or likes hold such text, importing nothing', async () => {
    const id = `fb-${p}-1`;
    const like = (name: string, n: number) => ({ id: `page-${p}-${n}`, name, category: 'Interest' });
    for (const person of [
      { id, name: 'Ana', likes: [like(`${p} surf`, 1), like(`${p} sur\u0000f`, 2)] },
      { id, name: 'Ana\r\nX', likes: [like(`${p} surf`, 1)] },
      { id: `${id}\ud800`, name: 'Ana', likes: [like(`${p} surf`, 1)] },
    ]) {
      fb.setPerson(person);
      const browser = new Browser(t.baseUrl);
      const start = await browser.fetch('/auth/facebook');
      const dialog = await browser.fetch(start.headers.get('location')!);
      const answer = await browser.fetch(dialog.headers.get('location')!, { headers: { accept: 'application/json' } });
      expect(answer.status, JSON.stringify(person)).toBe(400);
      expect((await browser.fetch('/v1/me')).status).toBe(401);
      const page = new Browser(t.baseUrl);
      expect((await page.login()).callback.headers.get('location')).toBe('/#/?login=failed&reason=provider');
    }
    expect(await resolve(`facebook:${id}`)).toBeUndefined();
    expect(await resolve(`facebook:${id}\ufffd`)).toBeUndefined();
  });
});
