import { randomUUID } from 'node:crypto';
import type { Hooks } from '../hooks.js';
import { topicKey } from '../graph/topic-key.js';
import { emailHash, identityKey } from '../users/user-identity.js';
import type { IdentityRow } from '../users/user-repository.js';
import type { UserService } from '../users/user-service.js';
import type { EventSignalRow, IngestRepository, InterestRow, PurchaseRow, SourceSnapshot } from './ingest-repository.js';
import { EventInput, FacebookLogin, ProfileRecord } from './schemas.js';
import { parseOr400 } from '../api/http.js';
import { batchTimes, isoOrNull, profileRows, TopicCollector } from './profile-rows.js';
import { stringField, validateItems, type RawItem, type Rejected } from './parse.js';
import { expandConsent, type ConsentChoice } from '../privacy/consent.js';
import type { ErasureParts } from '../privacy/index.js';

/** Weight one Facebook like gives its topic. */
export const FACEBOOK_LIKE_WEIGHT = 1;
/** A view is a weaker signal than a like: it adds this share of its weight. */
export const VIEW_FACTOR = 0.25;

export interface FacebookProfile {
  id: string;
  name?: string | undefined;
  email?: string | undefined;
}

export interface FacebookLike {
  id?: string | undefined;
  name: string;
  category?: string | undefined;
  created_time?: string | undefined;
}

export interface ImportResult {
  imported: number;
  rejected: Rejected[];
  /** Records naming an erased person (suppression list): refused, nothing stored. */
  suppressed: Array<{ line: number; externalId: string }>;
}

/** How a refused event names the reason (the person it is for was erased). */
export const SUPPRESSED_EVENT = 'user: suppressed: this person was erased; events for them are refused until they sign in again';

export interface EventsResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ line: number; id?: string; errors: string[] }>;
}

export interface IngestOptions {
  /** Interest edges per transaction (a batch closes at this many, or at maxRecords). */
  batchEdges: number;
  batchRecords: number;
}

export class IngestService {
  constructor(
    private readonly repo: IngestRepository,
    private readonly users: UserService,
    private readonly hooks: Hooks,
    private readonly secretKey: string,
    private readonly opts: IngestOptions,
    private readonly privacy: Pick<ErasureParts, 'suppressions' | 'audit'>,
  ) {}

  /** Validates every record on its own, stores the valid ones in batched transactions, reports the rest by line. */
  async importProfiles(items: RawItem[], onProgress?: (done: number, total: number) => void): Promise<ImportResult> {
    const { userIds, ...result } = await this.storeProfiles(items, onProgress);
    if (userIds.length) await this.hooks.emit('interestsChanged', { userIds });
    return result;
  }

  /**
   * importProfiles without the `interestsChanged` hook: what a worker thread runs (src/ingest/import-worker.ts); the
   * request loop then emits the hook with the user ids.
   */
  async storeProfiles(items: RawItem[], onProgress?: (done: number, total: number) => void): Promise<ImportResult & { userIds: string[] }> {
    const checked = validateItems(ProfileRecord, items, (v) => stringField(v, 'externalId'));
    const { rejected } = checked;
    const { kept: valid, suppressed } = await this.withoutSuppressed(checked.valid);
    // A later record for the same externalId replaces an earlier one, as if they had come one after the other. Done
    // over the whole body: split across two batches, the first would drop what the second re-adds on every re-import.
    const latest = new Map<string, ProfileRecord>();
    for (const { record } of valid) {
      latest.delete(record.externalId);
      latest.set(record.externalId, record);
    }
    const userIds = new Set<string>();
    let done = 0;
    for (const batch of this.batches([...latest.values()])) {
      const ids = await this.writeProfileBatch(batch);
      ids.forEach((id) => userIds.add(id));
      done += batch.length;
      onProgress?.(done, latest.size);
    }
    return { imported: valid.length, rejected, suppressed, userIds: [...userIds] };
  }

  /** Records naming a suppressed identity (their CRM id, or their email) are taken out and reported. */
  private async withoutSuppressed(valid: Array<{ line: number; record: ProfileRecord }>) {
    const { suppressions } = this.privacy;
    const hashesOf = ({ record }: { record: ProfileRecord }) => [
      suppressions.hash('identity', identityKey('crm', record.externalId)),
      ...(record.email ? [suppressions.hash('email', emailHash(this.secretKey, record.email))] : []),
    ];
    const found = await suppressions.suppressed(valid.flatMap(hashesOf));
    if (found.size === 0) return { kept: valid, suppressed: [] };
    const kept: typeof valid = [];
    const suppressed: ImportResult['suppressed'] = [];
    for (const v of valid) {
      if (hashesOf(v).some((h) => found.has(h))) suppressed.push({ line: v.line, externalId: v.record.externalId });
      else kept.push(v);
    }
    return { kept, suppressed };
  }

  private *batches(records: ProfileRecord[]): Generator<ProfileRecord[]> {
    let batch: ProfileRecord[] = [];
    let edges = 0;
    for (const r of records) {
      batch.push(r);
      edges += r.interests.length + r.purchases.length;
      if (edges >= this.opts.batchEdges || batch.length >= this.opts.batchRecords) {
        yield batch;
        batch = [];
        edges = 0;
      }
    }
    if (batch.length) yield batch;
  }

  /** `records` hold each externalId once. */
  private async writeProfileBatch(records: ProfileRecord[]): Promise<string[]> {
    const topics = new TopicCollector();
    const iso = batchTimes();
    const newIdByEmail = new Map<string, string>();
    const snapshots: SourceSnapshot[] = [];
    for (const r of records) {
      const hash = r.email ? emailHash(this.secretKey, r.email) : null;
      let newId: string = randomUUID();
      // Two new records with one email in one batch must become one user, not two.
      if (hash) {
        const shared = newIdByEmail.get(hash);
        if (shared) newId = shared;
        else newIdByEmail.set(hash, newId);
      }
      snapshots.push({
        identity: this.identityRow(snapshots.length, 'crm', r.externalId, hash, newId, r.name ?? null, expandConsent(r.consent)),
        ...profileRows(r, (name, category) => topics.add(name, category), iso),
      });
    }
    return this.repo.writeSnapshots('w_crm', topics.rows(), snapshots, new Date().toISOString());
  }

  private identityRow(
    idx: number,
    source: 'crm' | 'facebook',
    externalId: string,
    hash: string | null,
    newId: string,
    name: string | null,
    consent: ConsentChoice,
  ): IdentityRow {
    return {
      idx,
      key: identityKey(source, externalId),
      source,
      externalId,
      emailHash: hash,
      newId,
      name,
      consent: consent.segmentation ?? null,
      consentPersonalization: consent.personalization ?? null,
      consentMarketing: consent.marketing ?? null,
    };
  }

  /**
   * A Facebook login: the identity joins the user with the same email hash (if any), and the current likes replace
   * the user's Facebook weights. Removed interests stay removed. The access token never reaches this function.
   */
  async ingestFacebook(profile: FacebookProfile, likes: FacebookLike[]): Promise<{ userId: string }> {
    if (!profile.id || typeof profile.id !== 'string') throw new Error('Facebook profile without id');
    parseOr400(FacebookLogin, { profile, likes }, 'facebook');
    const topics = new TopicCollector();
    const interests = new Map<string, InterestRow>();
    for (const like of likes) {
      if (!like?.name || topicKey(like.name).length === 0) continue;
      const key = topics.add(like.name.slice(0, 200), like.category?.slice(0, 200) || undefined);
      const at = isoOrNull(like.created_time);
      const prev = interests.get(key);
      if (!prev) interests.set(key, { key, w: FACEBOOK_LIKE_WEIGHT, at });
      else if (at && (!prev.at || at > prev.at)) prev.at = at;
    }
    const hash = profile.email ? emailHash(this.secretKey, profile.email) : null;
    const [userId] = await this.repo.writeSnapshots(
      'w_facebook',
      topics.rows(),
      [
        {
          identity: this.identityRow(0, 'facebook', profile.id, hash, randomUUID(), profile.name?.slice(0, 200) || null, {}),
          interests: [...interests.values()],
          purchases: [],
        },
      ],
      new Date().toISOString(),
    );
    // The person came back through their own login: what they signed in with is no longer suppressed.
    const { suppressions, audit } = this.privacy;
    const lifted = await suppressions.lift([
      suppressions.hash('identity', identityKey('facebook', profile.id)),
      ...(hash ? [suppressions.hash('email', hash)] : []),
    ]);
    if (lifted > 0) await audit.record('suppression-lifted', 'login', { lifted });
    await this.hooks.emit('interestsChanged', { userIds: [userId!] });
    return { userId: userId! };
  }

  /**
   * Events: each is validated on its own; an id seen before (or earlier in the same request) is a duplicate;
   * an event whose user cannot be resolved is rejected (not stored, so it can be sent again once the user exists).
   */
  async ingestEvents(raw: unknown[]): Promise<EventsResult> {
    const { userIds, ...result } = await this.storeEvents(raw);
    if (userIds.length) await this.hooks.emit('interestsChanged', { userIds });
    return result;
  }

  /** ingestEvents without the `interestsChanged` hook (see storeProfiles). */
  async storeEvents(raw: unknown[]): Promise<EventsResult & { userIds: string[] }> {
    const { valid, rejected } = validateItems(
      EventInput,
      raw.map((value, i) => ({ line: i + 1, value })),
      (v) => stringField(v, 'id'),
    );
    const out: EventsResult['rejected'] = rejected.map(({ line, externalId, errors }) => ({
      line,
      ...(externalId !== undefined ? { id: externalId } : {}),
      errors,
    }));
    let duplicates = 0;
    const seen = new Set<string>();
    const unique: Array<{ line: number; record: EventInput }> = [];
    for (const v of valid) {
      if (seen.has(v.record.id)) duplicates++;
      else {
        seen.add(v.record.id);
        unique.push(v);
      }
    }
    const suppressed = await this.suppressedRefs(unique.map((u) => u.record.user));
    const resolved = await this.users.resolveMany(unique.map((u) => u.record.user).filter((ref) => !suppressed.has(ref)));
    const now = new Date().toISOString();
    const events: Array<EventInput & { userId: string; at: string }> = [];
    for (const { line, record } of unique) {
      const userId = resolved.get(record.user);
      if (suppressed.has(record.user)) out.push({ line, id: record.id, errors: [SUPPRESSED_EVENT] });
      else if (!userId) out.push({ line, id: record.id, errors: [`user: unknown user ${record.user}`] });
      else events.push({ ...record, userId, at: isoOrNull(record.at) ?? now });
    }
    let accepted = 0;
    const changed = new Set<string>();
    const size = this.opts.batchRecords;
    for (let i = 0; i < events.length; i += size) {
      const chunk = events.slice(i, i + size);
      const fresh = await this.repo.writeEvents(
        chunk.map((e) => ({ id: e.id, at: e.at, userId: e.userId })),
        (ids) => planEvents(chunk.filter((e) => ids.has(e.id))),
        now,
      );
      accepted += fresh.size;
      duplicates += chunk.length - fresh.size;
      for (const e of chunk) if (fresh.has(e.id)) changed.add(e.userId);
    }
    out.sort((a, b) => a.line - b.line);
    return { accepted, duplicates, rejected: out, userIds: [...changed] };
  }

  /** Which user references (`crm:…`, `facebook:…` or a user id) name a suppressed (erased) identity. */
  private async suppressedRefs(refs: string[]): Promise<Set<string>> {
    const { suppressions } = this.privacy;
    // A reference is an identity key or a user id (cypher/graph/resolve-users.cypher): either may be suppressed.
    const hashesOf = (ref: string) => [suppressions.hash('identity', ref), suppressions.hash('user', ref)];
    const unique = [...new Set(refs)];
    const found = await suppressions.suppressed(unique.flatMap(hashesOf));
    return new Set(unique.filter((ref) => hashesOf(ref).some((h) => found.has(h))));
  }
}

/**
 * Net effect of a batch of new events per (user, topic), in event time order: the last like/unlike decides the
 * like state, views add up, purchases become PURCHASED edges keyed by event id.
 */
export function planEvents(events: Array<EventInput & { userId: string; at: string }>) {
  const topics = new TopicCollector();
  const pairs = new Map<string, { userId: string; key: string; like: number | 'unset' | null; views: number; at: string }>();
  const purchases = new Map<string, PurchaseRow[]>();
  const ordered = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const e of ordered) {
    const key = e.kind === 'unlike' ? topicKey(e.topic) : topics.add(e.topic, e.category);
    if (e.kind === 'purchase') {
      const list = purchases.get(e.userId) ?? [];
      list.push({ key: `event:${e.id}`, sku: e.sku ?? null, amount: e.amount ?? null, at: e.at, topicKey: key, weight: e.weight });
      purchases.set(e.userId, list);
      continue;
    }
    const pk = `${e.userId}\u0000${key}`;
    let p = pairs.get(pk);
    if (!p) {
      p = { userId: e.userId, key, like: null, views: 0, at: e.at };
      pairs.set(pk, p);
    }
    if (e.at > p.at) p.at = e.at;
    if (e.kind === 'like') p.like = e.weight;
    else if (e.kind === 'unlike') p.like = 'unset';
    else p.views += e.weight * VIEW_FACTOR;
  }
  const unlikes: Array<{ userId: string; key: string }> = [];
  const signals: EventSignalRow[] = [];
  for (const p of pairs.values()) {
    if (p.like === 'unset') unlikes.push({ userId: p.userId, key: p.key });
    const like = typeof p.like === 'number' ? p.like : null;
    if (like !== null || p.views > 0) signals.push({ userId: p.userId, key: p.key, like, views: p.views, at: p.at });
  }
  return {
    topics: topics.rows(),
    unlikes,
    signals,
    purchases: [...purchases.entries()].map(([userId, list]) => ({ userId, purchases: list })),
  };
}
