import type { Express, Request, Response } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import type { Services } from '../services.js';
import { Neo4jSessionStore } from './session-store.js';
import { createFacebookStrategy, facebookConfigured, fetchAllLikes, personFromProfile } from './facebook.js';

declare module 'express-session' {
  interface SessionData {
    returnTo?: string;
  }
}

export const SESSION_COOKIE = 'sid';

/** One passport instance per app (tests run several apps in one process; the global singleton would be shared). */
const passports = new WeakMap<Services, InstanceType<typeof Passport>>();

export function passportFor(services: Services): InstanceType<typeof Passport> {
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
  const needsSession = (req: Request) => req.path.startsWith('/auth/') || (req.headers.cookie !== undefined && req.path.startsWith('/v1/'));
  app.use((req, res, next) => {
    if (!needsSession(req)) return next();
    sessions(req, res, (err?: unknown) => {
      if (err) return next(err);
      initialize(req, res, (err2?: unknown) => (err2 ? next(err2) : restore(req, res, next)));
    });
  });
}

export function destroySession(req: Request, res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      resolve();
    };
    if (!req.session) return done();
    req.session.destroy(() => done());
  });
}
