import type { Db } from '../db/neo4j.js';
import type { Rule } from '../affinity/rules.js';

/** A saved audience as stored (`definition` parsed). */
export interface AudienceRecord {
  id: string;
  name: string;
  definition: Rule;
  holdoutPercent: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  evaluatedVersion: number | null;
  /** The visible run of the last full evaluation ('' = there was none); null before the first evaluation. */
  evaluatedRunId: string | null;
  evaluatedAt: string | null;
  memberCount: number;
  holdoutCount: number;
  firstExportedAt: string | null;
  lastExportedAt: string | null;
  exportCount: number;
  destinations: number;
}

type RawAudience = Omit<AudienceRecord, 'definition'> & { definition: string };

export interface AudienceDefinition {
  id: string;
  definition: Rule;
  holdoutPercent: number;
  version: number;
  evaluatedVersion: number | null;
  evaluatedRunId: string | null;
}

/** One verdict of the evaluator: is this person in the audience now? */
export interface MembershipRow {
  audienceId: string;
  userId: string;
  member: boolean;
  holdout: boolean;
}

export interface MemberRow {
  userId: string;
  enteredAt: string;
  consent: boolean;
  keys: string[];
}

export interface StintRow {
  userId: string;
  seq: number;
  enteredAt: string;
  exitedAt: string | null;
  holdout: boolean;
  keys: string[];
}

export interface OutcomeRow {
  holdout: boolean;
  people: number;
  buyers: number;
  purchases: number;
  revenue: number;
}

/** A split or merge of the visible run, queued for the destinations of the audiences it concerns. */
export interface SegmentEventRow {
  type: 'segment.split' | 'segment.merged';
  /** JSON of the event's fields (run, segments). */
  data: string;
}

const toAudience = (r: RawAudience): AudienceRecord => ({ ...r, definition: JSON.parse(r.definition) as Rule });

/** Rows per apply transaction: one write per batch of changed people, whatever the number of audiences. */
export const APPLY_BATCH = 2000;

export class AudienceRepository {
  constructor(private readonly db: Db) {}

  async create(a: { id: string; name: string; definition: Rule; holdoutPercent: number }): Promise<void> {
    await this.db.write('audiences/create-audience', { ...a, definition: JSON.stringify(a.definition) });
  }

  async get(id: string): Promise<AudienceRecord | undefined> {
    const [row] = await this.db.read<RawAudience>('audiences/get-audience', { id });
    return row && toAudience(row);
  }

  async list(offset: number, limit: number): Promise<AudienceRecord[]> {
    return (await this.db.read<RawAudience>('audiences/list-audiences', { offset, limit })).map(toAudience);
  }

  async update(id: string, changes: { name?: string | undefined; definition?: Rule | undefined }): Promise<AudienceRecord | undefined> {
    const [row] = await this.db.write<RawAudience>('audiences/update-audience', {
      id,
      name: changes.name ?? null,
      definition: changes.definition === undefined ? null : JSON.stringify(changes.definition),
    });
    return row && toAudience(row);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.write('audiences/delete-audience', { id })).length > 0;
  }

  async definitions(): Promise<AudienceDefinition[]> {
    // Polled every second: a short deadline, so a stalled database never holds the job (or its stop) for long.
    const rows = await this.db.read<Omit<AudienceDefinition, 'definition'> & { definition: string }>('audiences/list-definitions');
    return rows.map((r) => ({ ...r, definition: JSON.parse(r.definition) as Rule }));
  }

  /** Who is a member now according to the database (a full evaluation compares with it). */
  async currentMembers(id: string): Promise<Set<string>> {
    const out = new Set<string>();
    await this.db.stream('audiences/stream-current-members', { id }, (r) => out.add(r.userId as string), { deadline: 'batch' });
    return out;
  }

  /** Writes verdicts (only changes write anything); how many people entered and exited, events queued. */
  async apply(rows: readonly MembershipRow[], now: Date): Promise<{ entered: number; exited: number; events: number }> {
    const out = { entered: 0, exited: 0, events: 0 };
    for (let i = 0; i < rows.length; i += APPLY_BATCH) {
      const result = await this.db.write<{ type: string; people: number; events: number }>(
        'audiences/apply-memberships',
        { rows: rows.slice(i, i + APPLY_BATCH), now: now.toISOString() },
        { deadline: 'batch' },
      );
      for (const r of result) {
        if (r.type === 'audience.entered') out.entered += r.people;
        else out.exited += r.people;
        out.events += r.events;
      }
    }
    return out;
  }

  async markEvaluated(id: string, version: number, runId: string, segmentEvents: readonly SegmentEventRow[], now: Date): Promise<void> {
    await this.db.write('audiences/mark-evaluated', { id, version, runId, segmentEvents, now: now.toISOString() }, { deadline: 'batch' });
  }

  /** Current members outside the holdout after `after` (user id), `limit` scanned. */
  pageMembers(id: string, after: string, limit: number): Promise<MemberRow[]> {
    return this.db.read<MemberRow & Record<string, unknown>>('audiences/page-members', { id, after, limit });
  }

  pageHistory(id: string, userId: string | null, after: { u: string; s: number }, limit: number): Promise<StintRow[]> {
    return this.db.read<StintRow & Record<string, unknown>>('audiences/page-history', {
      id,
      userId,
      afterUser: after.u,
      afterSeq: after.s,
      limit,
    });
  }

  /** Records an export now; the time of the audience's first export. */
  async recordExport(id: string): Promise<string | null> {
    const [row] = await this.db.write<{ firstExportedAt: string | null }>('audiences/record-export', { id });
    return row?.firstExportedAt ?? null;
  }

  outcome(id: string, since: string): Promise<OutcomeRow[]> {
    return this.db.read<OutcomeRow & Record<string, unknown>>('audiences/outcome', { id, since }, { deadline: 'batch' });
  }

  /** Erased people: memberships, history and queued events. */
  async eraseMembers(userIds: readonly string[]): Promise<void> {
    await this.db.write('audiences/erase-members', { userIds });
  }

  /** Everyone matching a purchase condition (POST /v1/audiences/query's statement, with a background deadline). */
  purchasers(p: { topicKey: string | null; sku: string | null; days: number | null }): Promise<string[]> {
    return this.ids('affinity/match-purchase-rule', p);
  }

  interested(topicKey: string, minWeight: number): Promise<string[]> {
    return this.ids('affinity/match-interest-rule', { topicKey, minWeight });
  }

  purchasersAmong(userIds: readonly string[], p: { topicKey: string | null; sku: string | null; days: number | null }): Promise<string[]> {
    return this.ids('audiences/match-purchase-among', { userIds, ...p });
  }

  interestedAmong(userIds: readonly string[], topicKey: string, minWeight: number): Promise<string[]> {
    return this.ids('audiences/match-interest-among', { userIds, topicKey, minWeight });
  }

  private async ids(name: string, params: Record<string, unknown>): Promise<string[]> {
    return (await this.db.read<{ userId: string }>(name, params, { deadline: 'batch' })).map((r) => r.userId);
  }

  // ---- what deleted audiences and destinations left --------------------------------------------------------------

  tombstones(): Promise<Array<{ kind: 'audience' | 'destination'; id: string }>> {
    return this.db.read('audiences/list-tombstones');
  }

  /** One batch of a tombstone's purge; how many nodes it removed (0: nothing left, the tombstone is gone too). */
  async purge(t: { kind: 'audience' | 'destination'; id: string }, limit: number): Promise<number> {
    const name = t.kind === 'audience' ? 'audiences/purge-audience-batch' : 'audiences/purge-destination-batch';
    const [row] = await this.db.write<{ done: number }>(name, { id: t.id, limit }, { deadline: 'batch' });
    const done = row?.done ?? 0;
    if (done === 0) await this.db.write('audiences/delete-tombstone', t, { deadline: 'batch' });
    return done;
  }
}
