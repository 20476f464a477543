import { expandConsent, type ConsentChoice } from '../privacy/consent.js';
import { emailHash, identityKey, normalizeEmail } from '../users/user-identity.js';
import { topicDisplayName, topicIdForKey, topicKey } from '../graph/topic-key.js';
import type { InterestRow, PurchaseRow, TopicRow } from './ingest-repository.js';
import { batchTimes, profileRows } from './profile-rows.js';
import type { ProfileRecord } from './schemas.js';
import { combineSnapshots, encodeSnapshot } from './snapshots.js';

/**
 * The initial bulk load's model of what the online import writes for a whole file sent as one body into an empty
 * graph (cypher/ingest/create-profiles, graph/upsert-identities, ingest/set-source-interests, ingest/merge-purchases):
 * the same nodes, relationships and properties, computed in memory person by person so they can be streamed into
 * neo4j-admin's CSV files. test/bulk-load.int.test.ts loads one file both ways and compares the graphs.
 */

export interface BulkUser {
  id: string;
  name: string | null;
  emailHash: string | null;
  consentSegmentation: boolean;
  /** Absent unless a record stated it (as the online import leaves the property unset). */
  consentPersonalization: boolean | null;
  consentMarketing: boolean | null;
}

export interface BulkIdentity {
  key: string;
  externalId: string;
  /** Only for people with more than one CRM identity (docs/graph-model.md). */
  snapshot: string | null;
}

export interface BulkInterest {
  topicKey: string;
  weight: number;
  sources: string[];
  wCrm: number | null;
  wPurchase: number | null;
  firstSeen: string;
  lastSeen: string;
}

export interface BulkPurchase {
  topicKey: string;
  key: string;
  sku: string | null;
  amount: number | null;
  weight: number;
  at: string;
}

export interface PersonRows {
  user: BulkUser;
  identities: BulkIdentity[];
  interests: BulkInterest[];
  purchases: BulkPurchase[];
}

/** A valid record and where it stands in the file (its line, or its first row's for CSV). */
export interface PlacedRecord {
  line: number;
  record: ProfileRecord;
}

/** Interests and purchases of one record: at most 5,000 each, so (line, index) orders every topic mention. */
const MENTIONS_PER_RECORD = 10_001;

/** What the load knows of one topic: its name and category, and where in the file each was given. */
export interface TopicEntry {
  key: string;
  name: string;
  nameAt: number;
  category: string | null;
  categoryAt: number;
}

/** Spellings BulkTopics remembers the entry of (each costs a map slot and its string). */
const SPELLINGS_KEPT = 1 << 20;

/**
 * Every topic of the load. Online, a topic is named by the first record of the body that mentions it and takes the
 * first category any record gives; here records may be planned out of file order (held-back ones at the end, chunks
 * in worker threads), so each mention carries its place in the file and the earliest one wins. A worker's topics
 * reach the main thread's through `takeChanges` → `merge`, which keeps the earliest too, so the order in which
 * chunks are converted does not change the result.
 */
export class BulkTopics {
  private readonly topics = new Map<string, TopicEntry>();
  private readonly bySpelling = new Map<string, TopicEntry>();
  private changed: Set<TopicEntry> | undefined;

  /** Remember which topics changed since the last `takeChanges` (a worker thread's topics). */
  trackChanges(): this {
    this.changed = new Set();
    return this;
  }

  mention(at: number, name: string, category: string | undefined): string {
    // Popular topics are mentioned by most records, spelled the same: their entry is found by the spelling itself,
    // without normalizing it again (the cache is dropped when it grows large, as a long tail of spellings would make it).
    let t = this.bySpelling.get(name);
    if (!t) {
      const key = topicKey(name);
      t = this.topics.get(key);
      if (t) {
        if (this.bySpelling.size >= SPELLINGS_KEPT) this.bySpelling.clear();
        this.bySpelling.set(name, t);
      } else {
        const entry = { key, name: topicDisplayName(name), nameAt: at, category: category ?? null, categoryAt: category ? at : Infinity };
        this.topics.set(key, entry);
        this.changed?.add(entry);
        return key;
      }
    }
    if (at < t.nameAt) {
      t.name = topicDisplayName(name);
      t.nameAt = at;
      this.changed?.add(t);
    }
    if (category && at < t.categoryAt) {
      t.category = category;
      t.categoryAt = at;
      this.changed?.add(t);
    }
    return t.key;
  }

  /** Topics new or renamed/recategorized since the last call (copies: the worker keeps changing its own). */
  takeChanges(): TopicEntry[] {
    const out = [...(this.changed ?? [])].map((t) => ({ ...t }));
    this.changed?.clear();
    return out;
  }

  /** Another thread's view of a topic: the earliest name and the earliest category win. */
  merge(e: TopicEntry): void {
    const t = this.topics.get(e.key);
    if (!t) {
      this.topics.set(e.key, { ...e });
      return;
    }
    if (e.nameAt < t.nameAt) {
      t.name = e.name;
      t.nameAt = e.nameAt;
    }
    if (e.category !== null && e.categoryAt < t.categoryAt) {
      t.category = e.category;
      t.categoryAt = e.categoryAt;
    }
  }

  get size(): number {
    return this.topics.size;
  }

  *rows(): Generator<TopicRow> {
    for (const [key, t] of this.topics) yield { key, id: topicIdForKey(key), name: t.name, category: t.category };
  }
}

export interface PlanContext {
  secretKey: string;
  /** The load's time (ISO): createdAt/updatedAt, and the time of signals without `at`, as the online import's $now. */
  now: string;
  topics: BulkTopics;
  newId: () => string;
}

const earlier = (a: string, b: string) => (a < b ? a : b);
const later = (a: string, b: string) => (a > b ? a : b);

/** One person from their records (one, or several stitched by email), in file order. */
export function planPerson(records: PlacedRecord[], ctx: PlanContext, iso = batchTimes()): PersonRows {
  const parts = records.map(({ line, record }) => {
    let i = 0;
    const base = line * MENTIONS_PER_RECORD;
    return { record, ...profileRows(record, (name, category) => ctx.topics.mention(base + i++, name, category), iso) };
  });
  const stitched = parts.length > 1;
  const email = records.find((r) => r.record.email)?.record.email;
  let name: string | null = null;
  let consent: ConsentChoice = {};
  for (const { record } of parts) {
    name = record.name ?? name;
    // Later records win purpose by purpose, as the online import's rows do.
    consent = { ...consent, ...expandConsent(record.consent) };
  }
  const user: BulkUser = {
    id: ctx.newId(),
    name,
    emailHash: email ? emailHash(ctx.secretKey, email) : null,
    consentSegmentation: consent.segmentation ?? true,
    consentPersonalization: consent.personalization ?? null,
    consentMarketing: consent.marketing ?? null,
  };
  const identities: BulkIdentity[] = parts.map(({ record, interests }) => ({
    key: identityKey('crm', record.externalId),
    externalId: record.externalId,
    snapshot: stitched ? encodeSnapshot(interests) : null,
  }));
  const crm: InterestRow[] = stitched ? combineSnapshots(parts.map((p) => p.interests)) : parts[0]!.interests;

  // PURCHASED edges are merged on (person, topic, key): the first record's amount stays.
  const purchases = new Map<string, BulkPurchase>();
  for (const p of parts.flatMap((x) => x.purchases) as PurchaseRow[]) {
    const id = `${p.topicKey}\u0000${p.key}`;
    if (!purchases.has(id)) {
      purchases.set(id, { topicKey: p.topicKey, key: p.key, sku: p.sku, amount: p.amount, weight: p.weight, at: p.at ?? ctx.now });
    }
  }
  const edges = new Map<string, BulkInterest>();
  for (const i of crm) {
    const at = i.at ?? ctx.now;
    edges.set(i.key, { topicKey: i.key, weight: 0, sources: [], wCrm: i.w, wPurchase: null, firstSeen: at, lastSeen: at });
  }
  for (const p of purchases.values()) {
    const e = edges.get(p.topicKey);
    if (!e)
      edges.set(p.topicKey, {
        topicKey: p.topicKey,
        weight: 0,
        sources: [],
        wCrm: null,
        wPurchase: p.weight,
        firstSeen: p.at,
        lastSeen: p.at,
      });
    else {
      e.wPurchase = (e.wPurchase ?? 0) + p.weight;
      e.firstSeen = earlier(e.firstSeen, p.at);
      e.lastSeen = later(e.lastSeen, p.at);
    }
  }
  for (const e of edges.values()) {
    // As the Cypher sums it: w_crm + w_facebook + w_events + w_purchase, absent ones as 0.
    e.weight = (e.wCrm ?? 0) + 0 + 0 + (e.wPurchase ?? 0);
    e.sources = [...((e.wCrm ?? 0) > 0 ? ['crm'] : []), ...((e.wPurchase ?? 0) > 0 ? ['purchase'] : [])];
  }
  return { user, identities, interests: [...edges.values()], purchases: [...purchases.values()] };
}

/**
 * Turns the file's valid records into people as they stream by. Records that may take part in a repeat (same
 * external id again: the last valid one wins) or a stitch (an email another external id also gives) are held back
 * and planned at the end, once all of them are known; `scan` (bulk-read.ts) says which, from a first pass over the
 * file. Everything else is planned at once, so memory holds only the held-back records and the topics.
 */
export class BulkPlanner {
  private readonly held: PlacedRecord[] = [];
  private iso = batchTimes();
  private planned = 0;

  constructor(
    private readonly ctx: PlanContext,
    private readonly scan: { repeatedIds: ReadonlySet<string>; sharedEmails: ReadonlySet<string> },
    private readonly emit: (person: PersonRows) => void,
  ) {}

  add(placed: PlacedRecord): void {
    const { record } = placed;
    if (this.scan.repeatedIds.has(record.externalId) || (record.email && this.scan.sharedEmails.has(normalizeEmail(record.email)))) {
      this.held.push(placed);
      return;
    }
    this.plan([placed]);
  }

  /** The records held back so far, handed over (a worker thread's, for the main thread to plan at the end). */
  takeHeld(): PlacedRecord[] {
    return this.held.splice(0);
  }

  /** Records another thread held back: planned by `finish` with this planner's own. */
  hold(records: readonly PlacedRecord[]): void {
    for (const r of records) this.held.push(r);
  }

  /** Plans the held-back records: the last valid record of each external id, then one person per email. */
  finish(): void {
    const latest = new Map<string, PlacedRecord>();
    for (const p of this.held.sort((a, b) => a.line - b.line)) latest.set(p.record.externalId, p);
    const byEmail = new Map<string, PlacedRecord[]>();
    for (const p of [...latest.values()].sort((a, b) => a.line - b.line)) {
      if (!p.record.email) {
        this.plan([p]);
        continue;
      }
      const key = normalizeEmail(p.record.email);
      const group = byEmail.get(key);
      if (group) group.push(p);
      else byEmail.set(key, [p]);
    }
    for (const group of byEmail.values()) this.plan(group);
    this.held.length = 0;
  }

  private plan(records: PlacedRecord[]): void {
    // The time cache only spares repeated Date parsing; renewed so it never grows with the file.
    if (++this.planned % 10_000 === 0) this.iso = batchTimes();
    this.emit(planPerson(records, this.ctx, this.iso));
  }
}
