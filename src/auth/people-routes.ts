import type { Express } from 'express';
import type { ApiRouter } from '../api/route.js';
import type { Services } from '../services.js';

/** Session, passport and the Facebook login must run before `authenticate`, so they are installed on the app. */
export function installSessions(_app: Express, _services: Services): void {
  // filled in by the people feature (express-session, passport.initialize/session, Facebook strategy)
}

export function mountPeopleRoutes(_api: ApiRouter, _services: Services): void {
  // filled in by the people feature (/auth/facebook*, /v1/me*)
}
