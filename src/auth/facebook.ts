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
 * The real passport-facebook strategy, pointed at the FACEBOOK_* URLs. `state` is kept in the session and checked on
 * the callback; enableProof adds appsecret_proof to the profile call. The verify callback receives the access token
 * only for the duration of the callback (see people-routes.ts): nothing here keeps it.
 */
export function createFacebookStrategy(
  config: Config & { FACEBOOK_APP_ID: string; FACEBOOK_APP_SECRET: string },
  verify: (accessToken: string, profile: Profile) => Promise<Express.User>,
): FacebookStrategy {
  const graph = config.FACEBOOK_GRAPH_URL.replace(/\/+$/, '');
  return new FacebookStrategy(
    {
      clientID: config.FACEBOOK_APP_ID,
      clientSecret: config.FACEBOOK_APP_SECRET,
      // Relative when not configured: passport-oauth2 resolves it against the request's own origin.
      callbackURL: config.FACEBOOK_CALLBACK_URL ?? '/auth/facebook/callback',
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
}

export class GraphApiError extends Error {
  constructor(message: string, readonly status?: number) {
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
  for (let page = 0; next && page < maxPages; page++) {
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
