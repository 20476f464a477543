import type {} from 'passport';

export const ROLES = ['admin', 'ingest', 'marketer', 'content'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a machine client with an API key, or a person signed in through the social login. */
export type Principal =
  | { kind: 'key'; keyId: string; role: Role; name: string }
  | { kind: 'person'; userId: string };

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
