import type { ApiRouter } from '../api/route.js';
import type { Services } from '../services.js';
import { mountLoginRoutes } from './login-routes.js';
import { mountMeRoutes } from './me-routes.js';

export { installSessions, SESSION_COOKIE } from './sessions.js';

/** People who sign in with Facebook: the login (/auth/*) and their own page (/v1/me*). */
export function mountPeopleRoutes(api: ApiRouter, services: Services): void {
  mountLoginRoutes(api, services);
  mountMeRoutes(api, services);
}
