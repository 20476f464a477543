import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../db/neo4j.js';
import type { IdentityRow, UserRepository } from '../users/user-repository.js';
import { topicKey } from '../graph/topic-key.js';
import { ALL_GIVEN, consentChanges, stateOf, type ConsentChange } from '../privacy/consent.js';
import { record as recordConsent } from '../privacy/consent-repository.js';
import { planPerson, type InterestRow, type PersonPlan, type SourceIdentity } from './snapshots.js';

export type { InterestRow } from './snapshots.js';

export interface TopicRow {
  key: string;
  id: string;
  name: string;
  category: string | null;
}

export interface PurchaseRow {
  key: string;
  sku: string | null;
  amount: number | null;
  at: string | null;
  topicKey: string;
  weight: number;
}

export interface SourceSnapshot {
  identity: IdentityRow;
  interests: InterestRow[];
  purchases: PurchaseRow[];
}

/** Per-source weight properties on INTERESTED_IN (see docs/graph-model.md). */
export type SourceProp = 'w_crm' | 'w_facebook';

/** One person of a batch on the MERGE path: their records in this batch and their identities of the source. */
interface Person {
  created: boolean;
  incoming: Map<string, InterestRow[]>;
  known: Map<string, SourceIdentity>;
}

export interface EventSignalRow {
  userId: string;
  key: string;
  /** A like's weight (state), or null when this batch has no like for the pair. */
  like: number | null;
  views: number;
  at: string;
}

/**
 * Points every interest at its topic's position in one list of the batch's distinct topic keys, so that a statement
 * looks each topic up once instead of once per interest edge (a third of the bulk insert's statement time).
 */
function indexTopics<R extends { interests: InterestRow[] }>(
  rows: R[],
): { topicKeys: string[]; rows: Array<Omit<R, 'interests'> & { interests: Array<{ ti: number; w: number; at: string | null }> }> } {
  const positions = new Map<string, number>();
  const indexed = rows.map((row) => ({
    ...row,
    interests: row.interests.map((i) => {
      let ti = positions.get(i.key);
      if (ti === undefined) positions.set(i.key, (ti = positions.size));
      return { ti, w: i.w, at: i.at };
    }),
  }));
  return { topicKeys: [...positions.keys()], rows: indexed };
}

export class IngestRepository {
  constructor(
    private readonly db: Db,
    private readonly users: UserRepository,
  ) {}

  /**
   * Writes one batch of source snapshots (CRM records or one Facebook login) in a single transaction:
   * topics once (distinct, sorted to keep lock order stable), then people seen for the first time on a CREATE-only
   * fast path, then everyone else on the MERGE path. Returns the user id of every snapshot, in input order.
   */
  async writeSnapshots(prop: SourceProp, topics: TopicRow[], snapshots: SourceSnapshot[], now: string): Promise<string[]> {
    await this.ensureTopics(topics);
    try {
      return await this.write(prop, snapshots, now, true);
    } catch (err) {
      // Another request created one of these identities between our check and our CREATE: redo it with MERGE.
      if ((err as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
        return this.write(prop, snapshots, now, false);
      }
      throw err;
    }
  }

  /**
   * Topics are committed on their own, before the edges: an edge transaction holds locks on the topics it touches
   * until it commits, so merging topics inside it made concurrent imports queue behind each other. Existing topics
   * are only read (no lock); only missing ones are written.
   */
  private async ensureTopics(topics: TopicRow[]): Promise<void> {
    if (topics.length === 0) return;
    const rows = await this.db.read<{ key: string }>('ingest/find-topics-to-merge', { topics }, { deadline: 'batch' });
    if (rows.length === 0) return;
    const wanted = new Set(rows.map((r) => r.key));
    await this.db.writeTx(
      (tx) =>
        this.mergeTopics(
          tx,
          topics.filter((t) => wanted.has(t.key)),
        ),
      { deadline: 'batch' },
    );
  }

  private write(prop: SourceProp, snapshots: SourceSnapshot[], now: string, fast: boolean): Promise<string[]> {
    return this.db.writeTx(
      async (tx) => {
        const userIds: string[] = new Array(snapshots.length);
        const fresh = new Set<number>();
        if (fast) {
          // Records that share a new user (same email in one batch) take the MERGE path, so CREATE never doubles an edge.
          const perNewId = new Map<string, number>();
          for (const s of snapshots) perNewId.set(s.identity.newId, (perNewId.get(s.identity.newId) ?? 0) + 1);
          const found = await tx.run<{ idx: number; identityExists: boolean; emailKnown: boolean }>('graph/find-identities', {
            rows: snapshots.map((s, idx) => ({ idx, key: s.identity.key, emailHash: s.identity.emailHash })),
          });
          for (const f of found) {
            const s = snapshots[f.idx]!;
            if (!f.identityExists && !f.emailKnown && perNewId.get(s.identity.newId) === 1) fresh.add(f.idx);
          }
        }
        if (fresh.size) {
          const { topicKeys, rows } = indexTopics(
            [...fresh].map((idx) => ({ ...snapshots[idx]!.identity, interests: snapshots[idx]!.interests })),
          );
          await tx.run('ingest/create-profiles', { prop, sources: [prop.slice(2)], now, rows, topicKeys });
          for (const idx of fresh) userIds[idx] = snapshots[idx]!.identity.newId;
        }
        const rest = snapshots.map((s, idx) => ({ s, idx })).filter(({ idx }) => !fresh.has(idx));
        const ids = await this.users.upsertIdentities(
          tx,
          rest.map(({ s, idx }) => ({ ...s.identity, idx })),
        );
        const people = new Map<string, Person>();
        for (const r of ids) {
          userIds[r.idx] = r.userId;
          const person = people.get(r.userId) ?? { created: true, incoming: new Map(), known: new Map() };
          person.created &&= r.created;
          const s = snapshots[r.idx]!;
          person.incoming.set(s.identity.key, s.interests);
          // Rows of one person merged in the same statement may each see only the identities merged before them.
          for (const k of r.sourceIdentities) person.known.set(k.key, k);
          people.set(r.userId, person);
        }
        const plans = await this.planPeople(tx, prop, people);
        const existing = [...plans].filter(([id]) => !people.get(id)!.created);
        if (existing.length) {
          await tx.run('ingest/drop-stale-source-interests', {
            prop,
            rows: existing.map(([userId, plan]) => ({ userId, keys: plan.interests.map((i) => i.key) })),
          });
        }
        const withInterests = [...plans]
          .filter(([, plan]) => plan.interests.length > 0)
          .map(([userId, plan]) => ({ userId, interests: plan.interests }));
        if (withInterests.length) await tx.run('ingest/set-source-interests', { prop, now, ...indexTopics(withInterests) });
        const withPurchases = snapshots
          .map((s, i) => ({ userId: userIds[i]!, purchases: s.purchases }))
          .filter((r) => r.purchases.length > 0);
        if (withPurchases.length) await tx.run('ingest/merge-purchases', { now, rows: withPurchases });
        await recordConsent(tx, this.consentChanges(snapshots, fresh, ids), 'import');
        return userIds;
      },
      { deadline: 'batch' },
    );
  }

  /** What the batch changed of people's consent: new people from the default (all given), others from before. */
  private consentChanges(
    snapshots: SourceSnapshot[],
    fresh: Set<number>,
    merged: Array<{ userId: string; consentBefore: boolean[]; consentAfter: boolean[] }>,
  ): ConsentChange[] {
    const out: ConsentChange[] = [];
    for (const idx of fresh) {
      const row = snapshots[idx]!.identity;
      const stated = stateOf([row.consent ?? true, row.consentPersonalization ?? true, row.consentMarketing ?? true]);
      out.push(...consentChanges(row.newId, ALL_GIVEN, stated));
    }
    for (const r of merged) out.push(...consentChanges(r.userId, stateOf(r.consentBefore), stateOf(r.consentAfter)));
    return out;
  }

  /**
   * The source's interests of each person in the batch, summed over all of that person's identities of the source
   * (src/ingest/snapshots.ts), and the identity snapshots that keeps up to date.
   */
  private async planPeople(tx: Tx, prop: SourceProp, people: Map<string, Person>): Promise<Map<string, PersonPlan>> {
    const plans = new Map<string, PersonPlan>();
    if (people.size === 0) return plans;
    // Today's weights are read only for people gaining their second identity of this source.
    const needCurrent = [...people].filter(([, p]) => [...p.known.values()].some((k) => k.snapshot === null && !p.incoming.has(k.key)));
    const current = new Map<string, InterestRow[]>();
    if (needCurrent.length) {
      for (const r of await tx.run<{ userId: string; key: string; w: number; at: string | null }>('ingest/read-source-interests', {
        prop,
        userIds: needCurrent.map(([id]) => id),
      })) {
        const list = current.get(r.userId) ?? [];
        list.push({ key: r.key, w: r.w, at: r.at });
        current.set(r.userId, list);
      }
    }
    const snapshotRows: Array<{ key: string; snapshot: string }> = [];
    for (const [userId, person] of people) {
      const plan = planPerson(person.incoming, [...person.known.values()], () => current.get(userId) ?? []);
      plans.set(userId, plan);
      snapshotRows.push(...plan.snapshots);
    }
    if (snapshotRows.length) await tx.run('ingest/set-identity-snapshots', { rows: snapshotRows });
    return plans;
  }

  /**
   * Applies events in one transaction: only ids this transaction created are applied (the rest are duplicates).
   * `plan` turns the fresh ids into signal rows, so a retried transaction recomputes them consistently. Each attempt
   * marks its events with its own batch id: had a retried attempt reused the id of one whose commit did go through,
   * it would take those events for its own and add their views a second time.
   */
  async writeEvents(
    events: Array<{ id: string; at: string; userId: string }>,
    plan: (fresh: Set<string>) => {
      topics: TopicRow[];
      unlikes: Array<{ userId: string; key: string }>;
      signals: EventSignalRow[];
      purchases: Array<{ userId: string; purchases: PurchaseRow[] }>;
    },
    now: string,
  ): Promise<Set<string>> {
    return this.db.writeTx(
      async (tx) => {
        const rows = await tx.run<{ id: string }>('ingest/merge-events', { rows: events, batch: randomUUID() });
        const fresh = new Set(rows.map((r) => r.id));
        if (fresh.size === 0) return fresh;
        const p = plan(fresh);
        await this.mergeTopics(tx, p.topics);
        if (p.unlikes.length) await tx.run('ingest/remove-like-signals', { rows: p.unlikes });
        if (p.signals.length) await tx.run('ingest/add-event-signals', { rows: p.signals });
        if (p.purchases.length) await tx.run('ingest/merge-purchases', { now, rows: p.purchases });
        return fresh;
      },
      { deadline: 'batch' },
    );
  }

  private async mergeTopics(tx: Tx, topics: TopicRow[]): Promise<void> {
    if (topics.length === 0) return;
    const sorted = [...topics].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // The category's key finds a SensitiveCategory mark, so a topic filed under one is sensitive from its creation.
    await tx.run('ingest/merge-topics', {
      topics: sorted.map((t) => ({ ...t, categoryKey: t.category === null ? null : topicKey(t.category) })),
    });
  }
}
