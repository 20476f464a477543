import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { listen } from '../../src/api/listen.js';

export interface FakeLike {
  id: string;
  name: string;
  category?: string;
  created_time?: string;
}

export interface FakePerson {
  id: string;
  name: string;
  email?: string;
  likes: FakeLike[];
}

export interface FakeFacebook {
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** The FACEBOOK_* settings that point the app at this stand-in (callback: the app's own, relative, by default). */
  env(callbackUrl?: string): Record<string, string>;
  /** Who "logs in" at the next OAuth dialog. */
  setPerson(person: FakePerson): void;
  /** Page size of /me/likes (Facebook's default is 25). */
  likesPageSize: number;
  /** Every request the provider saw, for assertions (path, query, whether the proof was valid). */
  requests: Array<{ method: string; path: string; query: Record<string, string>; proofOk?: boolean }>;
  /** Access tokens issued so far. */
  issuedTokens(): string[];
  /**
   * Failure switches (all off by default; set them back after a test): the dialog is cancelled by the person; the
   * token endpoint, `/me`, or the n-th page of `/me/likes` (1-based) answers 500.
   */
  failures: { denyDialog?: boolean; token?: boolean; me?: boolean; likesPage?: number };
  close(): Promise<void>;
}

/**
 * A stand-in for Facebook on loopback, speaking the parts of the protocol passport-facebook and our likes importer
 * use: the OAuth dialog (redirects back with code + state), the token endpoint (form POST), Graph `/me` and paged
 * `/me/likes` with `paging.next`. Graph calls must carry a valid appsecret_proof, as when "Require App Secret" is on.
 */
export async function startFakeFacebook(): Promise<FakeFacebook> {
  const appId = `app-${randomBytes(4).toString('hex')}`;
  const appSecret = randomBytes(16).toString('hex');
  let person: FakePerson | undefined;
  const codes = new Map<string, { person: FakePerson; redirectUri: string }>();
  const tokens = new Map<string, FakePerson>();
  const requests: FakeFacebook['requests'] = [];

  const app = express();
  app.use((req, _res, next) => {
    requests.push({ method: req.method, path: req.path, query: { ...(req.query as Record<string, string>) } });
    next();
  });

  app.get('/dialog/oauth', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.client_id !== appId)
      return void res.status(400).json({ error: { message: 'Invalid app id', type: 'OAuthException', code: 101 } });
    if (!q.redirect_uri)
      return void res.status(400).json({ error: { message: 'Missing redirect_uri', type: 'OAuthException', code: 191 } });
    if (!person) return void res.status(500).send('no person configured');
    if (fake.failures.denyDialog) {
      // What Facebook sends back when the person presses "Cancel".
      const back = new URL(q.redirect_uri);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_code', '200');
      back.searchParams.set('error_description', 'Permissions error');
      back.searchParams.set('error_reason', 'user_denied');
      if (q.state !== undefined) back.searchParams.set('state', q.state);
      return void res.redirect(302, back.toString());
    }
    const code = randomBytes(12).toString('hex');
    codes.set(code, { person, redirectUri: q.redirect_uri });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    res.redirect(302, back.toString());
  });

  /** Facebook's own shape for a server-side failure. */
  const serverError = (res: express.Response) =>
    void res
      .status(500)
      .json({ error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2 } });

  app.post('/oauth/access_token', express.urlencoded({ extended: false }), (req, res) => {
    if (fake.failures.token) return serverError(res);
    const b = req.body as Record<string, string | undefined>;
    const grant = b.code ? codes.get(b.code) : undefined;
    if (b.client_id !== appId || b.client_secret !== appSecret || !grant || grant.redirectUri !== b.redirect_uri) {
      return void res.status(400).json({ error: { message: 'Invalid verification code format.', type: 'OAuthException', code: 100 } });
    }
    codes.delete(b.code!); // codes are single use
    const token = `EAA${randomBytes(24).toString('hex')}`;
    tokens.set(token, grant.person);
    res.json({ access_token: token, token_type: 'bearer', expires_in: 5183944 });
  });

  /** Token from ?access_token= or Authorization: Bearer, and a valid appsecret_proof for it. */
  function graphAuth(req: express.Request, res: express.Response): FakePerson | undefined {
    const q = req.query as Record<string, string | undefined>;
    const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = q.access_token ?? header;
    const who = token ? tokens.get(token) : undefined;
    if (!token || !who) {
      res.status(400).json({ error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } });
      return undefined;
    }
    const expected = createHmac('sha256', appSecret).update(token).digest();
    const given = Buffer.from(q.appsecret_proof ?? '', 'hex');
    const proofOk = given.length === expected.length && timingSafeEqual(given, expected);
    requests[requests.length - 1]!.proofOk = proofOk;
    if (!proofOk) {
      res
        .status(400)
        .json({ error: { message: 'Invalid appsecret_proof provided in the API argument', type: 'GraphMethodException', code: 100 } });
      return undefined;
    }
    return who;
  }

  app.get('/me', (req, res) => {
    const who = graphAuth(req, res);
    if (!who) return;
    if (fake.failures.me) return serverError(res);
    const fields = String(req.query.fields ?? 'id,name').split(',');
    const all: Record<string, unknown> = { id: who.id, name: who.name, email: who.email };
    res.json(Object.fromEntries(fields.filter((f) => all[f] !== undefined).map((f) => [f, all[f]])));
  });

  app.get('/me/likes', (req, res) => {
    const who = graphAuth(req, res);
    if (!who) return;
    const size = Math.min(Number(req.query.limit ?? fake.likesPageSize) || fake.likesPageSize, fake.likesPageSize);
    const after = typeof req.query.after === 'string' ? Number(Buffer.from(req.query.after, 'base64url').toString()) : 0;
    if (fake.failures.likesPage !== undefined && Math.floor(after / size) + 1 === fake.failures.likesPage) return serverError(res);
    const data = who.likes.slice(after, after + size);
    const paging: Record<string, unknown> = {
      cursors: {
        before: Buffer.from(String(after)).toString('base64url'),
        after: Buffer.from(String(after + data.length)).toString('base64url'),
      },
    };
    if (after + size < who.likes.length) {
      // Like Facebook: the next link repeats the query (token included) with a new cursor, but not the proof.
      const next = new URL(`${fake.baseUrl}/me/likes`);
      for (const [k, v] of Object.entries(req.query as Record<string, string>)) {
        if (k !== 'appsecret_proof' && k !== 'after') next.searchParams.set(k, v);
      }
      next.searchParams.set('after', Buffer.from(String(after + size)).toString('base64url'));
      paging.next = next.toString();
    }
    res.json({ data, paging });
  });

  const { server, baseUrl } = await listen(app);

  const fake: FakeFacebook = {
    baseUrl,
    appId,
    appSecret,
    likesPageSize: 25,
    failures: {},
    requests,
    env: (callbackUrl) => ({
      FACEBOOK_APP_ID: appId,
      FACEBOOK_APP_SECRET: appSecret,
      ...(callbackUrl ? { FACEBOOK_CALLBACK_URL: callbackUrl } : {}),
      FACEBOOK_AUTH_URL: `${baseUrl}/dialog/oauth`,
      FACEBOOK_TOKEN_URL: `${baseUrl}/oauth/access_token`,
      FACEBOOK_GRAPH_URL: baseUrl,
    }),
    setPerson: (p) => {
      person = p;
    },
    issuedTokens: () => [...tokens.keys()],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

/** A minimal browser: a cookie jar and manual redirects, so each hop of the login can be checked. */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Raw Set-Cookie headers seen, newest last. */
  readonly setCookies: string[] = [];

  constructor(private readonly appBaseUrl: string) {}

  private cookieHeader(url: URL): string | undefined {
    // Only the app's cookies go to the app (the provider is another origin).
    if (!url.toString().startsWith(this.appBaseUrl)) return undefined;
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  async fetch(url: string | URL, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url, this.appBaseUrl);
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    if (target.toString().startsWith(this.appBaseUrl)) {
      for (const c of res.headers.getSetCookie()) {
        this.setCookies.push(c);
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return res;
  }

  /** Follows the whole redirect flow: app → provider dialog → app callback → landing page. Returns each hop. */
  async login(path = '/auth/facebook'): Promise<{ start: Response; dialog: Response; callback: Response; state: string }> {
    const start = await this.fetch(path);
    if (start.status !== 302) throw new Error(`login start answered ${start.status}: ${await start.text()}`);
    const dialogUrl = new URL(start.headers.get('location')!);
    const state = dialogUrl.searchParams.get('state') ?? '';
    const dialog = await this.fetch(dialogUrl);
    if (dialog.status !== 302) throw new Error(`dialog answered ${dialog.status}: ${await dialog.text()}`);
    const callback = await this.fetch(dialog.headers.get('location')!);
    return { start, dialog, callback, state };
  }
}

/** Signs `who` in through the stand-in provider: a browser holding their session cookie. */
export async function signIn(fb: FakeFacebook, appBaseUrl: string, who: FakePerson): Promise<Browser> {
  fb.setPerson(who);
  const b = new Browser(appBaseUrl);
  const { callback } = await b.login();
  if (callback.status !== 302) throw new Error(`the login callback answered ${callback.status}: ${await callback.text()}`);
  return b;
}
