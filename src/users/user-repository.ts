import type { Db, Tx } from '../db/neo4j.js';
import type { IdentitySource } from './user-identity.js';

export interface UserRecord {
  id: string;
  name?: string;
  consentSegmentation: boolean;
  consentPersonalization: boolean;
  consentMarketing: boolean;
  /** Identity keys (`crm:c-1`, `facebook:123`), sorted. */
  identities: string[];
  createdAt: string;
}

export interface UserInterest {
  topicId: string;
  name: string;
  category: string | null;
  weight: number;
  sources: string[];
  firstSeen: string;
  lastSeen: string;
  /** Marked sensitive: kept out of everything computed about the person, shown to them flagged. */
  sensitive: boolean;
}

export interface IdentityRow {
  idx: number;
  key: string;
  source: IdentitySource;
  externalId: string;
  emailHash: string | null;
  /** Fresh UUID used only when neither the identity nor the email hash is known yet. */
  newId: string;
  name: string | null;
  /** Consent per purpose the record states (null: unchanged); `consent` is segmentation's. */
  consent: boolean | null;
  consentPersonalization: boolean | null;
  consentMarketing: boolean | null;
}

export class UserRepository {
  constructor(private readonly db: Db) {}

  /**
   * Within a caller's transaction, so identities, topics and edges of one batch commit together. Each row also
   * returns the person's identities of the row's source (with their snapshots), as far as merged so far.
   */
  async upsertIdentities(
    tx: Tx,
    rows: IdentityRow[],
  ): Promise<
    Array<{
      idx: number;
      userId: string;
      created: boolean;
      sourceIdentities: Array<{ key: string; snapshot: string | null }>;
      /** Consent per purpose before and after the row (segmentation, personalization, marketing), for the history. */
      consentBefore: boolean[];
      consentAfter: boolean[];
    }>
  > {
    if (rows.length === 0) return [];
    return tx.run('graph/upsert-identities', { rows });
  }

  async resolveMany(refs: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (refs.length === 0) return out;
    const rows = await this.db.read<{ ref: string; userId: string | null }>('graph/resolve-users', { refs });
    for (const r of rows) if (r.userId) out.set(r.ref, r.userId);
    return out;
  }

  async get(userId: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.read<UserRecord & { name: string | null } & Record<string, unknown>>('graph/get-user', { userId });
    if (!row) return undefined;
    const { name, ...rest } = row;
    return name === null || name === undefined ? rest : { ...rest, name };
  }

  listInterests(userId: string): Promise<UserInterest[]> {
    return this.db.read<UserInterest & Record<string, unknown>>('graph/list-user-interests', { userId });
  }

  async removeInterest(userId: string, topicId: string): Promise<boolean> {
    return (await this.db.write('graph/remove-user-interest', { userId, topicId })).length > 0;
  }
}
