import type { Request, RequestHandler, Response } from 'express';
import type { AuthenticateOptions } from 'passport';
import type { ApiRouter } from '../api/route.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { GraphApiError, callbackUrl, facebookConfigured } from './facebook.js';
import { CallbackQuery, LoginQuery } from './people-schemas.js';
import { destroySession, passportFor } from './sessions.js';

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
    if (err.tooManyLikes)
      return failed('too-many-likes', new AppError(502, 'facebook-too-many-likes', `Facebook login not completed: ${err.message}`));
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

export function mountLoginRoutes(api: ApiRouter, services: Services): void {
  const { config } = services;
  const notConfigured = () =>
    new AppError(503, 'facebook-not-configured', 'Facebook login is not configured (set FACEBOOK_APP_ID and FACEBOOK_APP_SECRET)');

  /**
   * The callback's work: a provider error or a callback without a code is refused here (passport would otherwise
   * redirect to the dialog again, and this handler would never settle); then passport checks `state`, exchanges the
   * code (same callback URL as the start), reads /me, and the verify callback imports every like.
   */
  const completeLogin = (
    req: Request,
    res: Response,
    query: { code?: string | undefined; error?: string | undefined; error_description?: string | undefined },
  ) => {
    if (query.error !== undefined) {
      if (query.error === 'access_denied') return Promise.reject(refusal(query.error_description ?? 'the Facebook dialog was cancelled'));
      return Promise.reject(new GraphApiError(`Facebook answered ${query.error}: ${query.error_description ?? ''}`.trim()));
    }
    if (!query.code) {
      return Promise.reject(
        failed('invalid', new AppError(400, 'login-failed', 'The callback carries neither a code nor an error: start the login again')),
      );
    }
    const passport = passportFor(services);
    return new Promise<Express.User>((resolve, reject) => {
      // passport-oauth2 reads callbackURL per request; the types do not list it.
      const options: AuthenticateOptions & { callbackURL: string } = { callbackURL: callbackUrl(config, req.socket.localPort) };
      const mw = passport.authenticate(
        'facebook',
        options,
        (err: unknown, u: Express.User | false, info: { message?: string } | undefined) => {
          if (err) return reject(err);
          if (!u) return reject(refusal(info?.message));
          resolve(u);
        },
      ) as RequestHandler;
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
    });
}
