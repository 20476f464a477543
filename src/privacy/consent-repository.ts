import type { Db, Tx } from '../db/neo4j.js';
import { consentChanges, stateOf, type ConsentChange, type ConsentChoice, type ConsentState, type Purpose } from './consent.js';

export type ChangedBy = 'person' | 'import';

export interface ConsentHistoryEntry {
  purpose: Purpose;
  granted: boolean;
  by: ChangedBy;
  at: string;
}

/** Consent per purpose on the User node, and its history (`ConsentChange` nodes keyed by user id only). */
export class ConsentRepository {
  constructor(private readonly db: Db) {}

  /** The person's own choice; the state now, or undefined when the person does not exist. */
  async setByPerson(userId: string, choice: ConsentChoice): Promise<ConsentState | undefined> {
    return this.db.writeTx(async (tx) => {
      const [row] = await tx.run<{ before: boolean[]; after: boolean[] }>('privacy/set-consent', {
        userId,
        segmentation: choice.segmentation ?? null,
        personalization: choice.personalization ?? null,
        marketing: choice.marketing ?? null,
      });
      if (!row) return undefined;
      const after = stateOf(row.after);
      await record(tx, consentChanges(userId, stateOf(row.before), after), 'person');
      return after;
    });
  }

  async get(userId: string): Promise<ConsentState | undefined> {
    const [row] = await this.db.read<{ stated: boolean[] }>('privacy/get-consent', { userId });
    return row && stateOf(row.stated);
  }

  history(userId: string, skip: number, limit: number): Promise<ConsentHistoryEntry[]> {
    return this.db.read<ConsentHistoryEntry & Record<string, unknown>>('privacy/list-consent-changes', { userId, skip, limit });
  }
}

/** Writes history entries within the caller's transaction (an import's batch records what it changed with it). */
export async function record(tx: Tx, changes: readonly ConsentChange[], by: ChangedBy): Promise<void> {
  if (changes.length > 0) await tx.run('privacy/record-consent-changes', { rows: changes, by });
}
