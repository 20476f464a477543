import type {} from 'passport';
import { AppError } from '../errors.js';
import type { ReportSpec } from '../reports/share-link-repository.js';

export const ROLES = ['admin', 'ingest', 'marketer', 'content'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling: a machine client with an API key, a person signed in through the social login, or someone holding a
 * report's share link (read-only, that report only).
 */
export type Principal =
  | { kind: 'key'; keyId: string; role: Role; name: string }
  | { kind: 'person'; userId: string }
  | { kind: 'share'; linkId: string; report: ReportSpec; expiresAt: string };

/** The signed-in person's user id (routes with `access: 'person'`); 401 for anyone else. */
export function meId(principal: { kind: string; userId?: string } | undefined): string {
  if (principal?.kind !== 'person' || !principal.userId) throw AppError.unauthorized();
  return principal.userId;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User {
      userId: string;
    }
    interface Request {
      principal?: Principal;
    }
  }
}
