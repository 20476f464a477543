import type { Db, Tx } from '../db/neo4j.js';
import type { Principal } from '../auth/principal.js';

/**
 * What the audit log shows: erasures and suppressions lifted by a person's own login (AuditEntry nodes), and consent
 * changes, read from the consent history itself (ConsentChange, src/privacy/consent-repository.ts): one record per idea.
 */
export type AuditAction = 'erasure' | 'consent' | 'suppression-lifted';

export interface AuditEntry {
  at: string;
  action: AuditAction;
  /** `person` (the person themselves), `api-key:<key id>`, `import` (a CRM record's consent) or `login`. */
  actor: string;
  /** Counts, flags and a consent purpose only: never an id, a name, an email or a topic of the person. */
  details: Record<string, number | boolean | string>;
}

/** The actor of an audit entry, without personal data: a person is `person`, a key is its id (not its name). */
export function actorOf(principal: Principal | undefined): string {
  if (!principal) return 'system';
  if (principal.kind === 'person') return 'person';
  return principal.kind === 'key' ? `api-key:${principal.keyId}` : `share-link:${principal.linkId}`;
}

type AuditRow = {
  at: string;
  key: string;
  action: AuditAction;
  actor: string;
  details: string | null;
  purpose: string | null;
  granted: boolean | null;
};

/**
 * The audit log. It holds no personal data, so it survives the erasures it records: who acted (a role, a key id), what,
 * when, and counts. Entries recorded here (`AuditEntry`, with a gapless sequence number) commit with the change they
 * record; consent changes are the consent history's own entries, without their user id (gone at erasure).
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Within a caller's transaction when given (the entry commits with the change it records). */
  async record(action: Exclude<AuditAction, 'consent'>, actor: string, details: AuditEntry['details'], tx?: Tx): Promise<void> {
    const params = { action, actor, details: JSON.stringify(details) };
    if (tx) await tx.run('privacy/append-audit', params);
    else await this.db.write('privacy/append-audit', params);
  }

  /** Newest first; `after`: the cursor of the last entry of the previous page. */
  async list(after: { at: string; key: string } | null, limit: number): Promise<Array<AuditEntry & { key: string }>> {
    const rows = await this.db.read<AuditRow>('privacy/list-audit', { beforeAt: after?.at ?? null, beforeKey: after?.key ?? null, limit });
    return rows.map((r) => ({
      at: r.at,
      key: r.key,
      action: r.action,
      actor: r.actor,
      details:
        r.action === 'consent'
          ? { purpose: r.purpose ?? '', granted: r.granted === true }
          : (JSON.parse(r.details ?? '{}') as AuditEntry['details']),
    }));
  }
}
