import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery guard for requests a browser's session cookie authenticates (a signed-in person's
 * routes and the logout): a state-changing method must come from our own origin. SameSite=Lax cookies and JSON-only
 * bodies already stop most forgeries; this closes the rest (same-site subdomains, form posts that need no JSON,
 * browsers that treat Lax loosely).
 * - `Origin` present: it must be ours (PUBLIC_URL's origin, else the origin the request was addressed to); `null` and
 *   any other origin get 403.
 * - no `Origin` (browsers send one on every cross-origin and same-origin POST/PUT/PATCH/DELETE; its absence means a
 *   non-browser client or an old browser): `Sec-Fetch-Site`, when sent, must say `same-origin` or `none` (typed by the
 *   user); without either header the request is let through, since nothing a forging page can trigger looks like that.
 * Requests with an API key (Authorization header) are not cookie-authenticated and are not checked.
 */
export function sameOriginCheck(publicUrl: string | undefined): RequestHandler {
  const configured = publicUrl ? new URL(publicUrl).origin : undefined;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.cookie === undefined || req.principal?.kind === 'key') return next();
    const ours = configured ?? ownOrigin(req);
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (origin === ours) return next();
      throw new AppError(403, 'cross-origin', `A request from ${origin} may not change anything here (only ${ours} may)`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin' || site === 'none') return next();
    throw new AppError(403, 'cross-origin', `A ${site} request may not change anything here`);
  };
}

/** The origin the request was addressed to (scheme from the connection or a trusted proxy, host from Host). */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.headers.host ?? ''}`;
}
