import { createHmac } from 'node:crypto';

/** Emails are compared, never stored: the same normalization on every path keeps CRM and Facebook in step. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** HMAC-SHA256 keyed with SECRET_KEY, so the hash cannot be reversed by hashing a list of known addresses. */
export function emailHash(secretKey: string, email: string): string {
  return createHmac('sha256', secretKey).update(normalizeEmail(email), 'utf8').digest('hex');
}

export const IDENTITY_SOURCES = ['crm', 'facebook'] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

export function identityKey(source: IdentitySource, externalId: string): string {
  return `${source}:${externalId}`;
}
