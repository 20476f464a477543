import { createHmac } from 'node:crypto';
import { Strategy as FacebookStrategy, type Profile } from 'passport-facebook';
import type { Config } from '../config.js';
import type { FacebookLike, FacebookProfile } from '../ingest/index.js';

/** Login is offered only when the app id and secret are set; otherwise /auth/facebook answers a 503 problem. */
export function facebookConfigured(config: Config): config is Config & { FACEBOOK_APP_ID: string; FACEBOOK_APP_SECRET: string } {
  return Boolean(config.FACEBOOK_APP_ID && config.FACEBOOK_APP_SECRET);
}

/** Proves to the Graph API that a call comes from the app's server: HMAC-SHA256(app secret, access token), hex. */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

export function personFromProfile(profile: Profile): FacebookProfile {
  const email = profile.emails?.[0]?.value;
  return { id: profile.id, ...(profile.displayName ? { name: profile.displayName } : {}), ...(email ? { email } : {}) };
}

/**
 * Where the provider sends the person back: FACEBOOK_CALLBACK_URL, else /auth/facebook/callback under PUBLIC_URL,
 * else under http://HOST:<port this request came in on>. Never the request's Host header: that is the client's to
 * choose, and the callback (with the code) would go wherever it says.
 */
export function callbackUrl(config: Config, localPort: number | undefined): string {
  if (config.FACEBOOK_CALLBACK_URL) return config.FACEBOOK_CALLBACK_URL;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const base = config.PUBLIC_URL ?? `http://${host}:${localPort ?? config.PORT}`;
  return new URL('/auth/facebook/callback', base.endsWith('/') ? base : `${base}/`).toString();
}

/**
 * The real passport-facebook strategy, pointed at the FACEBOOK_* URLs. `state` is kept in the session and checked on
 * the callback; enableProof adds appsecret_proof to the profile call. The callback URL is given per request
 * (callbackUrl). The verify callback receives the access token only for the duration of the callback (see
 * people-routes.ts): nothing here keeps it.
 */
export function createFacebookStrategy(
  config: Config & { FACEBOOK_APP_ID: string; FACEBOOK_APP_SECRET: string },
  verify: (accessToken: string, profile: Profile) => Promise<Express.User>,
): FacebookStrategy {
  const graph = config.FACEBOOK_GRAPH_URL.replace(/\/+$/, '');
  const strategy = new FacebookStrategy(
    {
      clientID: config.FACEBOOK_APP_ID,
      clientSecret: config.FACEBOOK_APP_SECRET,
      callbackURL: callbackUrl(config, undefined),
      authorizationURL: config.FACEBOOK_AUTH_URL,
      tokenURL: config.FACEBOOK_TOKEN_URL,
      profileURL: `${graph}/me`,
      profileFields: ['id', 'displayName', 'emails'],
      enableProof: true,
      state: true,
    },
    (accessToken: string, _refreshToken: string, profile: Profile, done: (err: unknown, user?: Express.User | false) => void) => {
      verify(accessToken, profile).then(
        (user) => done(null, user),
        (err: unknown) => done(err),
      );
    },
  );
  // A token endpoint that fails (5xx) is the provider's trouble, not a bad code: passport-facebook would report its
  // JSON error body as a FacebookTokenError, indistinguishable from a refused code.
  const parse = strategy.parseErrorResponse.bind(strategy);
  strategy.parseErrorResponse = (body: string, status: number) =>
    status >= 500 ? new GraphApiError(`the token endpoint answered ${status}`, status) : parse(body, status);
  return strategy;
}

/** The provider failed (or answered something unusable): the login fails and nothing is imported. */
export class GraphApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** More likes than the importer reads: importing a part would drop the rest from the person's interests. */
    readonly tooManyLikes = false,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }
}

interface LikesPage {
  data?: Array<{ id?: unknown; name?: unknown; category?: unknown; created_time?: unknown }>;
  paging?: { next?: unknown };
  error?: { message?: string };
}

/**
 * Reads every page of `/me/likes`, following `paging.next`. Each call carries the token in the Authorization header
 * and appsecret_proof in the query (Facebook's next links repeat the query but a proof must be present on every call).
 * Next links are followed only on the Graph API's own origin, so the token never goes anywhere else.
 * All or nothing: a failing page, or more than `maxPages` pages (200 × 100 likes by default), throws GraphApiError
 * rather than return a part, because the login replaces the person's Facebook interests with what this returns.
 */
export async function fetchAllLikes(
  opts: { graphUrl: string; appSecret: string; accessToken: string; maxPages?: number; pageSize?: number },
  fetchImpl: typeof fetch = fetch,
): Promise<FacebookLike[]> {
  const graph = new URL(opts.graphUrl.replace(/\/+$/, '') + '/me/likes');
  graph.searchParams.set('fields', 'id,name,category,created_time');
  graph.searchParams.set('limit', String(opts.pageSize ?? 100));
  const proof = appSecretProof(opts.appSecret, opts.accessToken);
  const maxPages = opts.maxPages ?? 200;
  const likes = new Map<string, FacebookLike & { id: string }>();
  const seen = new Set<string>();
  let next: URL | undefined = graph;
  for (let page = 0; next; page++) {
    if (page === maxPages) {
      throw new GraphApiError(
        `more than ${maxPages} pages of likes (${likes.size} read): not imported, so none are dropped`,
        undefined,
        true,
      );
    }
    if (next.origin !== graph.origin) throw new GraphApiError(`paging.next left the Graph API origin (${next.origin})`);
    next.searchParams.delete('access_token');
    next.searchParams.set('appsecret_proof', proof);
    if (seen.has(next.toString())) break; // a provider repeating a page would otherwise loop
    seen.add(next.toString());
    const res = await fetchImpl(next, { headers: { authorization: `Bearer ${opts.accessToken}`, accept: 'application/json' } });
    const body = (await res.json().catch(() => ({}))) as LikesPage;
    if (!res.ok) throw new GraphApiError(`Graph API /me/likes answered ${res.status}: ${body.error?.message ?? ''}`.trim(), res.status);
    for (const d of body.data ?? []) {
      if (typeof d.id !== 'string' || typeof d.name !== 'string' || !d.name.trim()) continue;
      likes.set(d.id, {
        id: d.id,
        name: d.name,
        ...(typeof d.category === 'string' && d.category ? { category: d.category } : {}),
        ...(typeof d.created_time === 'string' ? { created_time: d.created_time } : {}),
      });
    }
    next = typeof body.paging?.next === 'string' ? new URL(body.paging.next) : undefined;
  }
  return [...likes.values()];
}
