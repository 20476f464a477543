import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';
import type { ApiKeyService } from './api-key-service.js';
import type { Principal, Role } from './principal.js';

/** Resolves the caller once per request; routes then only check `req.principal`. */
export function authenticate(keys: ApiKeyService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw AppError.unauthorized('Authorization must be "Bearer <api key>"');
      const principal = await keys.authenticate(m[1]!);
      if (!principal) throw AppError.unauthorized('Unknown or revoked API key');
      req.principal = principal;
    } else if (req.user?.userId) {
      req.principal = { kind: 'person', userId: req.user.userId };
    }
    next();
  };
}

/** Who may call a route: nobody checked, a signed-in person, or API keys of the given roles. */
export type Access = 'public' | 'person' | readonly Role[];

export function authorize(principal: Principal | undefined, access: Access): void {
  if (access === 'public') return;
  if (!principal) throw AppError.unauthorized();
  if (access === 'person') {
    if (principal.kind !== 'person') throw AppError.forbidden('Only a signed-in person may do this');
    return;
  }
  if (principal.kind !== 'key' || !access.includes(principal.role)) {
    throw AppError.forbidden(`Requires one of the roles: ${access.join(', ')}`);
  }
}
