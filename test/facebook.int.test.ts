import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { Browser, startFakeFacebook, type FakeFacebook, type FakePerson } from './support/fake-facebook.js';

let fb: FakeFacebook;
let t: TestApp;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  fb = await startFakeFacebook();
  t = await startTestApp(fb.env());
});
afterAll(async () => {
  await t?.close();
  await fb?.close();
});

function person(n: number, likes: number): FakePerson {
  return {
    id: `fb-${run}-${n}`,
    name: `Person ${run} ${n}`,
    email: `p${n}-${run}@example.org`,
    likes: Array.from({ length: likes }, (_, i) => ({
      id: `page-${run}-${i}`,
      name: `Like ${run} ${n} ${i}`,
      category: 'Interest',
      created_time: '2026-10-01T10:00:00+0000',
    })),
  };
}

describe('Facebook login with the real passport-facebook strategy against a stand-in provider', () => {
  it('runs the whole redirect flow: state, code exchange with proof, every likes page imported, session regenerated', async () => {
    const p = person(1, 5);
    fb.setPerson(p);
    fb.likesPageSize = 2; // 5 likes → 3 pages, the last two reached through paging.next
    const seenBefore = fb.requests.length;
    const b = new Browser(t.baseUrl);

    const { start, dialog, callback, state } = await b.login('/auth/facebook?returnTo=/people/me');
    const dialogUrl = new URL(start.headers.get('location')!);
    expect(dialogUrl.origin + dialogUrl.pathname).toBe(`${fb.baseUrl}/dialog/oauth`);
    expect(dialogUrl.searchParams.get('client_id')).toBe(fb.appId);
    expect(dialogUrl.searchParams.get('redirect_uri')).toBe(`${t.baseUrl}/auth/facebook/callback`);
    expect(state.length).toBeGreaterThanOrEqual(16);
    const preLoginCookie = b.setCookies[0]!;
    expect(preLoginCookie).toMatch(/^sid=/);
    expect(preLoginCookie).toMatch(/HttpOnly/i);
    expect(preLoginCookie).toMatch(/SameSite=Lax/i);
    expect(new URL(dialog.headers.get('location')!).searchParams.get('state')).toBe(state);

    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/people/me');
    const loginCookie = callback.headers.getSetCookie().find((c) => c.startsWith('sid='));
    expect(loginCookie).toBeDefined();
    // A new session id after login: a session id planted before login is useless afterwards.
    expect(loginCookie!.split(';')[0]).not.toBe(preLoginCookie.split(';')[0]);
    expect(loginCookie).toMatch(/HttpOnly/i);
    expect(loginCookie).toMatch(/SameSite=Lax/i);

    const graphCalls = fb.requests.slice(seenBefore).filter((r) => r.path === '/me' || r.path === '/me/likes');
    expect(graphCalls.filter((r) => r.path === '/me/likes')).toHaveLength(3);
    expect(graphCalls.every((r) => r.proofOk === true)).toBe(true);

    const me = await b.fetch('/v1/me');
    expect(me.status).toBe(200);
    const meBody = (await me.json()) as { id: string; name: string; identities: string[]; consent: { segmentation: boolean } };
    expect(meBody).toMatchObject({ name: p.name, identities: [`facebook:${p.id}`], consent: { segmentation: true } });

    const interests = (await (await b.fetch('/v1/me/interests')).json()) as { items: Array<{ name: string; sources: string[] }> };
    expect(interests.items.map((i) => i.name).sort()).toEqual(p.likes.map((l) => l.name).sort());

    // The old pre-login session id no longer signs anyone in.
    const stale = await fetch(`${t.baseUrl}/v1/me`, { headers: { cookie: preLoginCookie.split(';')[0]! } });
    expect(stale.status).toBe(401);
  });

  it('keeps no access token after the import', async () => {
    const p = person(2, 3);
    fb.setPerson(p);
    const b = new Browser(t.baseUrl);
    const { callback } = await b.login();
    expect(callback.status).toBe(302);
    const token = fb.issuedTokens().at(-1)!;
    const [row] = await t.db.read<{ hits: number }>('people/count-value-anywhere', { value: token });
    expect(row!.hits).toBe(0);
    expect(JSON.stringify(await (await b.fetch('/v1/me')).json())).not.toContain(token);
  });

  it('rejects a callback whose state does not match the session, and one without a started login', async () => {
    fb.setPerson(person(3, 1));
    const b = new Browser(t.baseUrl);
    const start = await b.fetch('/auth/facebook');
    const dialog = await b.fetch(start.headers.get('location')!);
    const back = new URL(dialog.headers.get('location')!);
    back.searchParams.set('state', 'forged-state-value');
    // A machine client asking for JSON gets the problem; a browser goes back to the page with the reason.
    const forged = await b.fetch(back, { headers: { accept: 'application/json' } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await forged.json()) as { detail: string }).detail).toMatch(/state/i);
    expect((await b.fetch('/v1/me')).status).toBe(401);

    // A code and state replayed into another browser (no session): refused too.
    const other = new Browser(t.baseUrl);
    const replay = await other.fetch(dialog.headers.get('location')!);
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toBe('/#/?login=failed&reason=state');
    expect((await other.fetch('/v1/me')).status).toBe(401);
  });

  it('refuses an open redirect in returnTo and sends a cancelled dialog back to the page with the reason', async () => {
    const b = new Browser(t.baseUrl);
    expect((await b.fetch('/auth/facebook?returnTo=https://evil.example/')).status).toBe(400);
    expect((await b.fetch('/auth/facebook?returnTo=//evil.example/')).status).toBe(400);
    fb.setPerson(person(5, 1));
    fb.failures = { denyDialog: true };
    try {
      const { callback } = await b.login();
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe('/#/?login=failed&reason=denied');
      const start = await b.fetch('/auth/facebook');
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const denied = await b.fetch(`/auth/facebook/callback?error=access_denied&error_reason=user_denied&state=${state}`, {
        headers: { accept: 'application/json' },
      });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('content-type')).toMatch(/problem\+json/);
    } finally {
      fb.failures = {};
    }
    expect((await b.fetch('/v1/me')).status).toBe(401);
  });

  it('answers a callback with neither code nor error at once (400, or back to the page), instead of redirecting again', async () => {
    const b = new Browser(t.baseUrl);
    const start = await b.fetch('/auth/facebook');
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const seen = fb.requests.length;
    const bare = await b.fetch(`/auth/facebook/callback?state=${state}`, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(400);
    expect(bare.headers.get('content-type')).toMatch(/problem\+json/);
    const browser = await b.fetch('/auth/facebook/callback');
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/#/?login=failed&reason=invalid');
    expect(fb.requests.length).toBe(seen); // the provider was not asked again
  });

  it('imports nothing when the provider fails (token endpoint, /me, a later likes page) and says so', async () => {
    const p = person(6, 5);
    fb.setPerson(p);
    fb.likesPageSize = 2;
    const first = new Browser(t.baseUrl);
    expect((await first.login()).callback.status).toBe(302);
    const interests = async () =>
      ((await (await first.fetch('/v1/me/interests')).json()) as { items: Array<{ name: string }> }).items.map((i) => i.name).sort();
    const imported = p.likes.map((l) => l.name).sort();
    expect(await interests()).toEqual(imported);

    // Facebook now reports other likes, but fails in three places in turn: each login fails and changes nothing.
    fb.setPerson({ ...p, likes: person(7, 5).likes });
    for (const failures of [{ token: true }, { me: true }, { likesPage: 2 }] as const) {
      fb.failures = failures;
      try {
        const seen = fb.requests.length;
        const b = new Browser(t.baseUrl);
        const { callback } = await b.login();
        if ('likesPage' in failures) {
          // Page 1 of the new likes was read before page 2 failed: it did not replace the interests on its own.
          expect(
            fb.requests
              .slice(seen)
              .filter((r) => r.path === '/me/likes')
              .map((r) => r.query.after ?? 'first'),
          ).toHaveLength(2);
        }
        expect(callback.status, JSON.stringify(failures)).toBe(302);
        expect(callback.headers.get('location')).toBe('/#/?login=failed&reason=provider');
        expect((await b.fetch('/v1/me')).status).toBe(401);
        expect(await interests()).toEqual(imported);

        const json = new Browser(t.baseUrl);
        const start = await json.fetch('/auth/facebook');
        const dialog = await json.fetch(start.headers.get('location')!);
        const answer = await json.fetch(dialog.headers.get('location')!, { headers: { accept: 'application/json' } });
        expect(answer.status).toBe(502);
        expect(((await answer.json()) as { type: string }).type).toMatch(/facebook-unavailable$/);
      } finally {
        fb.failures = {};
      }
    }
    expect(await interests()).toEqual(imported);
  });

  it('builds the callback URL from PUBLIC_URL, never from the Host header', async () => {
    const b = new Browser(t.baseUrl);
    const forged = await b.fetch('/auth/facebook', { headers: { host: 'evil.example' } });
    expect(forged.status).toBe(302);
    expect(new URL(forged.headers.get('location')!).searchParams.get('redirect_uri')).toBe(`${t.baseUrl}/auth/facebook/callback`);

    const behindProxy = await startTestApp({ ...fb.env(), PUBLIC_URL: 'https://segments.example.org' });
    try {
      const start = await fetch(`${behindProxy.baseUrl}/auth/facebook`, { redirect: 'manual', headers: { host: 'evil.example' } });
      expect(start.status).toBe(302);
      expect(new URL(start.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
        'https://segments.example.org/auth/facebook/callback',
      );
    } finally {
      await behindProxy.close();
    }
  });

  it('logs out: the session cookie stops working', async () => {
    fb.setPerson(person(4, 1));
    const b = new Browser(t.baseUrl);
    await b.login();
    const cookie = b.cookies.get('sid')!;
    expect((await b.fetch('/v1/me')).status).toBe(200);
    expect((await b.fetch('/auth/logout', { method: 'POST' })).status).toBe(204);
    const after = await fetch(`${t.baseUrl}/v1/me`, { headers: { cookie: `sid=${cookie}` } });
    expect(after.status).toBe(401);
  });
});

describe('Facebook login without configuration', () => {
  it('answers a clear 503 problem instead of failing', async () => {
    const bare = await startTestApp();
    try {
      for (const path of ['/auth/facebook', '/auth/facebook/callback?code=x&state=y']) {
        const res = await bare.call('GET', path);
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/problem\+json/);
        expect(((await res.json()) as { type: string }).type).toMatch(/facebook-not-configured$/);
      }
    } finally {
      await bare.close();
    }
  });
});
