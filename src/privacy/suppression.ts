import { createHmac } from 'node:crypto';
import type { Db } from '../db/neo4j.js';

/** What names a person from outside: identity keys (`crm:c-1`, `facebook:123`), the email hash, the service's user id. */
export type SuppressedKind = 'identity' | 'email' | 'user';

/**
 * The suppression list: keyed hashes (HMAC-SHA256 with SECRET_KEY, a prefix per kind) of what named an erased person.
 * No personal data is kept: without the key a hash cannot be matched against a list of known ids or addresses. A
 * later import record or event naming a suppressed identity is refused and reported; a login by the person lifts the
 * suppression of what they signed in with (they came back themselves).
 */
export class Suppressions {
  constructor(
    private readonly db: Db,
    private readonly secretKey: string,
  ) {}

  hash(kind: SuppressedKind, value: string): string {
    return createHmac('sha256', this.secretKey).update(`suppression\u0000${kind}\u0000${value}`, 'utf8').digest('hex');
  }

  /** The hashes an erasure suppresses for a person with these identity keys, email hash and user id. */
  hashesOf(person: { userId: string; identities: readonly string[]; emailHash: string | null }): string[] {
    return [
      this.hash('user', person.userId),
      ...person.identities.map((key) => this.hash('identity', key)),
      ...(person.emailHash ? [this.hash('email', person.emailHash)] : []),
    ];
  }

  /** Which of `hashes` are suppressed. */
  async suppressed(hashes: readonly string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await this.db.read<{ hash: string }>('privacy/find-suppressions', { hashes: [...new Set(hashes)] });
    return new Set(rows.map((r) => r.hash));
  }

  /** The person signed in again: these no longer suppress anything. How many were lifted. */
  async lift(hashes: readonly string[]): Promise<number> {
    if (hashes.length === 0) return 0;
    const [row] = await this.db.write<{ lifted: number }>('privacy/delete-suppressions', { hashes: [...hashes] });
    return row?.lifted ?? 0;
  }
}
