import type { Express, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { Passport, type AuthenticateOptions } from 'passport';
import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage, sendJson } from '../api/http.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { UserAffinitiesSchema } from '../affinity/schemas.js';
import { Neo4jSessionStore } from './session-store.js';
import { GraphApiError, callbackUrl, createFacebookStrategy, facebookConfigured, fetchAllLikes, personFromProfile } from './facebook.js';
import {
  CallbackQuery,
  ConsentBody,
  ConsentSchema,
  LoginQuery,
  MeSchema,
  MyInterestsQuery,
  MyInterestsSchema,
  TopicParams,
} from './people-schemas.js';

declare module 'express-session' {
  interface SessionData {
    returnTo?: string;
  }
}

export const SESSION_COOKIE = 'sid';

/** One passport instance per app (tests run several apps in one process; the global singleton would be shared). */
const passports = new WeakMap<Services, InstanceType<typeof Passport>>();

function passportFor(services: Services): InstanceType<typeof Passport> {
  const passport = passports.get(services);
  if (!passport) throw new Error('installSessions() must run before mountPeopleRoutes()');
  return passport;
}

/** Session, passport and the Facebook login must run before `authenticate`, so they are installed on the app. */
export function installSessions(app: Express, services: Services): void {
  const { config, ingest } = services;
  const passport = new Passport();
  passports.set(services, passport);
  // The session holds only the user id: no profile, and never the Facebook access token.
  passport.serializeUser((user, done) => done(null, { userId: user.userId }));
  // No user lookup here: the read that loaded the session already said whether its person exists (the store then
  // refuses and destroys it), and erasure deletes every session of the person.
  passport.deserializeUser((stored: unknown, done) => {
    const userId = (stored as { userId?: unknown } | null)?.userId;
    done(null, typeof userId === 'string' ? { userId } : false);
  });

  if (facebookConfigured(config)) {
    passport.use(
      createFacebookStrategy(config, async (accessToken, profile) => {
        // The token lives only in this call: it reads the likes and is dropped.
        const likes = await fetchAllLikes({ graphUrl: config.FACEBOOK_GRAPH_URL, appSecret: config.FACEBOOK_APP_SECRET, accessToken });
        const { userId } = await ingest.ingestFacebook(personFromProfile(profile), likes);
        return { userId };
      }),
    );
  }

  const sessions = session({
    name: SESSION_COOKIE,
    secret: services.secretKey,
    store: new Neo4jSessionStore(services.db),
    resave: false,
    // No cookie until there is something to keep (the OAuth state or a login): API-key callers never get one.
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.PUBLIC_URL?.startsWith('https:') ?? false,
      maxAge: 7 * 24 * 3600 * 1000,
    },
  });
  const initialize = passport.initialize();
  const restore = passport.session();
  // Only /auth/* (the login keeps its state there) and /v1 (a person's principal) use sessions. Requests without a
  // cookie (machine clients with keys, the content systems' hot path) carry none to load: skipping the session and
  // passport layers saves a tenth of their CPU. The ops endpoints and the dashboard's files never read the session
  // store, so a signed-in browser asking /healthz does not depend on Neo4j.
  const needsSession = (req: Request) =>
    req.path.startsWith('/auth/') || (req.headers.cookie !== undefined && req.path.startsWith('/v1/'));
  app.use((req, res, next) => {
    if (!needsSession(req)) return next();
    sessions(req, res, (err?: unknown) => {
      if (err) return next(err);
      initialize(req, res, (err2?: unknown) => (err2 ? next(err2) : restore(req, res, next)));
    });
  });
}

/** Runs a passport middleware inside a route handler; resolves once it has answered (redirect) or passed on. */
function run(mw: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    res.once('finish', () => resolve());
    void mw(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
  });
}

/** Why a Facebook login failed, as the dashboard explains it (`/#/?login=failed&reason=…`). */
export type LoginFailureReason = 'denied' | 'state' | 'invalid' | 'provider' | 'too-many-likes';

interface LoginFailure {
  reason: LoginFailureReason;
  problem: AppError;
}

const failed = (reason: LoginFailureReason, problem: AppError): LoginFailure => ({ reason, problem });

function isLoginFailure(x: unknown): x is LoginFailure {
  return typeof x === 'object' && x !== null && 'reason' in x && (x as LoginFailure).problem instanceof AppError;
}

function loginFailure(err: unknown): LoginFailure {
  if (isLoginFailure(err)) return err;
  if (err instanceof GraphApiError) {
    if (err.tooManyLikes) return failed('too-many-likes', new AppError(502, 'facebook-too-many-likes', `Facebook login not completed: ${err.message}`));
    return failed('provider', new AppError(502, 'facebook-unavailable', `Facebook failed: ${err.message}`));
  }
  if (err instanceof AppError) return failed('provider', err);
  const e = err as { name?: string; message?: string };
  // The provider refused the code (bad, expired or reused): the login's fault, not ours.
  if (/TokenError|AuthorizationError/.test(e?.name ?? '')) {
    return failed('invalid', new AppError(401, 'login-failed', `Facebook login failed: ${e.message ?? e.name}`));
  }
  return failed('provider', new AppError(502, 'facebook-unavailable', `Facebook could not be reached: ${e?.message ?? 'unknown error'}`));
}

/** What passport reports through `fail` (no exception): a state mismatch, or a dialog the person cancelled. */
function refusal(message = 'not authorized'): LoginFailure {
  return failed(/state/i.test(message) ? 'state' : 'denied', new AppError(401, 'login-failed', `Facebook login failed: ${message}`));
}

/** Machine clients (Accept: application/json) get the problem; a browser navigation goes back to the page. */
function wantsProblem(req: Request): boolean {
  return req.accepts(['text/html', 'application/json']) === 'application/json';
}

function destroySession(req: Request, res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      resolve();
    };
    if (!req.session) return done();
    req.session.destroy(() => done());
  });
}

export function mountPeopleRoutes(api: ApiRouter, services: Services): void {
  const { config, ingest, affinity } = services;
  const notConfigured = () =>
    new AppError(503, 'facebook-not-configured', 'Facebook login is not configured (set FACEBOOK_APP_ID and FACEBOOK_APP_SECRET)');

  const meId = (principal: { kind: string; userId?: string } | undefined): string => {
    if (principal?.kind !== 'person' || !principal.userId) throw AppError.unauthorized();
    return principal.userId;
  };

  /**
   * The callback's work: a provider error or a callback without a code is refused here (passport would otherwise
   * redirect to the dialog again, and this handler would never settle); then passport checks `state`, exchanges the
   * code (same callback URL as the start), reads /me, and the verify callback imports every like.
   */
  const completeLogin = (req: Request, res: Response, query: { code?: string | undefined; error?: string | undefined; error_description?: string | undefined }) => {
    if (query.error !== undefined) {
      if (query.error === 'access_denied') return Promise.reject(refusal(query.error_description ?? 'the Facebook dialog was cancelled'));
      return Promise.reject(new GraphApiError(`Facebook answered ${query.error}: ${query.error_description ?? ''}`.trim()));
    }
    if (!query.code) {
      return Promise.reject(failed('invalid', new AppError(400, 'login-failed', 'The callback carries neither a code nor an error: start the login again')));
    }
    const passport = passportFor(services);
    return new Promise<Express.User>((resolve, reject) => {
      // passport-oauth2 reads callbackURL per request; the types do not list it.
      const options: AuthenticateOptions & { callbackURL: string } = { callbackURL: callbackUrl(config, req.socket.localPort) };
      const mw = passport.authenticate('facebook', options, (err: unknown, u: Express.User | false, info: { message?: string } | undefined) => {
        if (err) return reject(err);
        if (!u) return reject(refusal(info?.message));
        resolve(u);
      }) as RequestHandler;
      void mw(req, res, (err?: unknown) => reject(err ?? new Error('login did not complete')));
    });
  };

  api
    .route({
      method: 'get',
      path: '/auth/facebook',
      summary: 'Start the Facebook login (redirects to the provider with a `state` kept in the session)',
      tags: ['People'],
      access: 'public',
      query: LoginQuery,
      responses: { 302: { description: 'Redirect to the Facebook OAuth dialog' }, 503: { description: 'Facebook login not configured' } },
      handler: async ({ query, req, res }) => {
        if (!facebookConfigured(config)) throw notConfigured();
        if (query.returnTo) req.session.returnTo = query.returnTo;
        const options = { scope: ['email', 'user_likes'], callbackURL: callbackUrl(config, req.socket.localPort) };
        await run(passportFor(services).authenticate('facebook', options), req, res);
        return undefined;
      },
    })
    .route({
      method: 'get',
      path: '/auth/facebook/callback',
      summary: 'Facebook login callback: checks `state`, imports /me and every page of /me/likes, starts a new session',
      tags: ['People'],
      access: 'public',
      query: CallbackQuery,
      // Every page of likes is read from the provider and written before the answer.
      deadline: 'bulk',
      responses: {
        302: {
          description:
            'Signed in: redirect to `returnTo` (or `/`). Failed, for a browser: redirect to `/#/?login=failed&reason=` ' +
            '`denied` | `state` | `invalid` | `provider` | `too-many-likes`; the callers below asked for JSON',
        },
        400: { description: 'Neither `code` nor `error` in the callback (Accept: application/json)' },
        401: { description: 'Login refused: state mismatch, denied dialog, bad or reused code (Accept: application/json)' },
        502: { description: 'Facebook failed, nothing imported (Accept: application/json)' },
        503: { description: 'Facebook login not configured' },
      },
      handler: async ({ query, req, res }) => {
        if (!facebookConfigured(config)) throw notConfigured();
        let user: Express.User;
        try {
          user = await completeLogin(req, res, query);
        } catch (err) {
          const failure = loginFailure(err);
          services.logger.warn({ reason: failure.reason, err }, 'Facebook login failed');
          if (wantsProblem(req)) throw failure.problem;
          res.redirect(302, `/#/?login=failed&reason=${failure.reason}`);
          return undefined;
        }
        const returnTo = req.session.returnTo;
        // passport 0.7 regenerates the session on login (no fixation: the pre-login session id is dropped).
        await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
        res.redirect(302, returnTo ?? '/');
        return undefined;
      },
    })
    .route({
      method: 'post',
      path: '/auth/logout',
      summary: 'End the session',
      tags: ['People'],
      access: 'public',
      responses: {
        204: { description: 'Signed out (also when there was no session)' },
        403: { description: '`cross-origin`: sent with a session cookie from another origin' },
      },
      handler: async ({ req, res }) => {
        await destroySession(req, res);
      },
    })
    .route({
      method: 'get',
      path: '/v1/me',
      summary: 'The signed-in person',
      tags: ['People'],
      access: 'person',
      responses: { 200: { description: 'The person', schema: MeSchema } },
      handler: async ({ principal }) => {
        const user = await ingest.users.get(meId(principal));
        if (!user) throw AppError.notFound('User');
        return {
          id: user.id,
          ...(user.name ? { name: user.name } : {}),
          identities: user.identities,
          consent: { segmentation: user.consentSegmentation },
          createdAt: user.createdAt,
        };
      },
    })
    .route({
      method: 'get',
      path: '/v1/me/interests',
      summary: 'The signed-in person\'s interests, heaviest first',
      tags: ['People'],
      access: 'person',
      query: MyInterestsQuery,
      responses: { 200: { description: 'Interests', schema: MyInterestsSchema } },
      handler: async ({ principal, query }) => {
        const userId = meId(principal);
        if (!(await ingest.users.get(userId))) throw AppError.notFound('User');
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        // A person's interests are few: one read, paged in memory.
        const all = await ingest.users.listInterests(userId);
        return offsetPage(all.slice(offset, offset + query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/me/affinities',
      summary: 'The signed-in person\'s segment of one',
      tags: ['People'],
      access: 'person',
      responses: { 200: { description: 'Affinities', schema: UserAffinitiesSchema } },
      handler: async ({ principal, res }) => sendJson(res, await affinity.reader.forUser(meId(principal))),
    })
    .route({
      method: 'delete',
      path: '/v1/me/interests/:topicId',
      summary: 'Remove an interest (it stays removed on later logins and imports)',
      tags: ['People'],
      access: 'person',
      params: TopicParams,
      responses: { 204: { description: 'Removed; affinities already follow' } },
      handler: async ({ principal, params }) => {
        await ingest.users.removeInterest(meId(principal), params.topicId);
      },
    })
    .route({
      method: 'put',
      path: '/v1/me/consent',
      summary: 'Give or withdraw consent to segmentation (withdrawn: no segment of one, in no audience)',
      tags: ['People'],
      access: 'person',
      body: ConsentBody,
      responses: { 200: { description: 'The consent now in force', schema: ConsentSchema } },
      handler: async ({ principal, body }) => {
        await ingest.users.setConsent(meId(principal), body.segmentation);
        return { segmentation: body.segmentation };
      },
    })
    .route({
      method: 'delete',
      path: '/v1/me',
      summary: 'Erase the signed-in person and everything derived (identities, interests, affinities); ends the session',
      tags: ['People'],
      access: 'person',
      responses: { 204: { description: 'Erased' } },
      handler: async ({ principal, req, res }) => {
        const userId = meId(principal);
        await ingest.users.erase(userId);
        await destroySession(req, res);
      },
    });
}
