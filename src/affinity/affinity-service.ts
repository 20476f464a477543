import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { DocCache } from './doc-cache.js';
import {
  CLEANUP_BATCH,
  type AffinityRepository,
  type AffinityWriteRow,
  type AudienceRow,
  type ChangedUserRow,
  type DocWrite,
  type UserInterestsRow,
} from './affinity-repository.js';
import { topicKey } from '../graph/topic-key.js';
import { afterCursor, evaluate, isSegment, leaves, rank, type Leaf, type Ranked, type Rule } from './rules.js';
import {
  ShareAccumulator,
  scoreSegments,
  segmentAffinities,
  suggestTopics,
  type RelatedTopic,
  type ScoredSegment,
  type SegmentAffinity,
  type SuggestedTopic,
} from './scoring.js';

/** The stored document; the API adds `user` (the address the caller used). */
export interface AffinityDoc {
  runId: string | null;
  segments: ScoredSegment[];
  suggestedTopics: SuggestedTopic[];
}

/** What one run contributes to every user's scoring, loaded once per run and kept in memory. */
interface RunModel {
  runId: string;
  segmentOf: Map<string, string>;
  labels: Map<string, string>;
  shares: Map<string, number>;
  related: Map<string, RelatedTopic[]>;
}

/** No consent or no segmented interest: the same document from a full and from an incremental recompute. */
const EMPTY = (runId: string | null): AffinityDoc => ({ runId, segments: [], suggestedTopics: [] });
const emptyJson = (runId: string | null) => JSON.stringify(EMPTY(runId));
const NO_RUN_DOC = emptyJson(null);

/** The response body from a stored document, without parsing it again: `{"user": ..., ...doc}`. */
const NO_RUN_BYTES = Buffer.from(NO_RUN_DOC);
const OPEN_BRACE = 0x7b;
const COMMA = Buffer.from(',');

/** A stored document as bytes; anything that is not a non-empty JSON object reads as "no run yet". */
function docBytes(doc: string | null): Buffer {
  return doc && doc.startsWith('{') && doc.length > 2 ? Buffer.from(doc) : NO_RUN_BYTES;
}

/** What a reader gets for a stored row: consent is checked at read time, so a withdrawal shows before the rewrite. */
function storedBytes(row: { doc: string | null; runId: string | null; consent: boolean }): Buffer {
  return row.consent === false ? Buffer.from(emptyJson(row.runId ?? null)) : docBytes(row.doc);
}

/** The document with `"user": ref` as its first field, still as bytes. */
function withUser(ref: string, doc: Buffer): Buffer {
  const d = doc.length > 2 && doc[0] === OPEN_BRACE ? doc : NO_RUN_BYTES;
  return Buffer.concat([Buffer.from(`{"user":${JSON.stringify(ref)},`), d.subarray(1)]);
}

export interface AudienceFilter {
  minAffinity: number;
  minLift: number;
}

/** A run whose segments are written but not yet visible: its documents are prepared beside the visible ones. */
interface Pending {
  runId: string;
  /** Set once the full recompute has written every document: incremental updates then write the run's too. */
  model?: RunModel;
  /** Users changed while the full recompute was computing or writing: recomputed again once it has written. */
  dirty: Set<string>;
  /** The run's documents as they will be served, filled in the background; replaces the cache when the run succeeds. */
  cache: DocCache<Buffer>;
}

/** A rule audience's ranking is kept this long, per rule and visible run, so paging through it does not redo it. */
const RULE_CACHE_MS = 60_000;
const RULE_CACHE_ENTRIES = 32;
const RULE_CACHE_ROWS = 1_000_000;
/** Other processes' runs become visible here within this much (the cache is swapped when the newest run changes). */
const WATCH_MS = 5_000;

export class AffinityService {
  /** Run models by run id (the visible run, a prepared one, rarely more). */
  private readonly models = new Map<string, RunModel>();
  private pending: Pending | undefined;
  /** The newest succeeded run as this process last learned it (runSucceeded, or the watcher for other processes). */
  private visibleRunId: string | null | undefined;
  /** Full recomputes, one at a time. */
  private fullQueue: Promise<unknown> = Promise.resolve();
  /**
   * Incremental writes and cleanup batches, one at a time (two updates of one user must not cross). They do not wait
   * for a full recompute: it writes the next run's documents, not the visible ones, and redoes the users changed meanwhile.
   */
  private userQueue: Promise<unknown> = Promise.resolve();
  private cache: DocCache<Buffer>;
  private readonly warming = new Set<DocCache<Buffer>>();
  /** A fresh process warms the cache on its first read (once; a new visible run warms it again). */
  private warmed = false;
  private readonly rankings = new Map<string, { expires: number; ranked: Ranked[] }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private promoting: Promise<void> | undefined;
  private readonly cacheSize: number;
  private readonly cacheTtlMs: number;

  constructor(
    private readonly repo: AffinityRepository,
    private readonly logger: Logger,
    opts: { cacheSize?: number; cacheTtlMs?: number } = {},
  ) {
    // In-process changes invalidate at once; the TTL bounds staleness after changes made by another process.
    this.cacheSize = opts.cacheSize ?? 1_000_000;
    this.cacheTtlMs = opts.cacheTtlMs ?? 10 * 60_000;
    this.cache = this.newCache();
  }

  private newCache(): DocCache<Buffer> {
    return new DocCache<Buffer>(this.cacheSize, this.cacheTtlMs);
  }

  /** Loads every document readers see into the cache, under each address (identity keys and user id). */
  warm(): Promise<void> {
    this.warmed = true;
    return this.fill(this.cache, (onRow) => this.repo.streamDocs(onRow), 'affinity cache warmed');
  }

  private async fill(
    cache: DocCache<Buffer>,
    stream: (onRow: (row: { userId: string; doc: string | null; runId: string | null; consent: boolean; keys: string[] }) => void) => Promise<number>,
    message: string,
  ): Promise<void> {
    if (this.warming.has(cache)) return;
    this.warming.add(cache);
    const stamp = cache.stamp();
    const started = Date.now();
    try {
      const n = await stream((row) => {
        const doc = storedBytes(row);
        cache.set(stamp, row.userId, row.userId, doc);
        for (const key of row.keys) cache.set(stamp, key, row.userId, doc);
      });
      this.logger.info({ users: n, ms: Date.now() - started }, message);
    } catch (err) {
      this.logger.warn({ err }, 'affinity cache warm-up failed');
    } finally {
      this.warming.delete(cache);
    }
  }

  /** Watches for runs that succeed in other processes; stop() ends it. */
  watch(intervalMs = WATCH_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkVisibleRun(), intervalMs);
    this.timer.unref();
    void this.checkVisibleRun();
  }

  private async checkVisibleRun(): Promise<void> {
    // Every switch of the visible run installs a new cache: a different object means one happened meanwhile.
    const cache = this.cache;
    let runId: string | null;
    try {
      runId = await this.repo.visibleRun();
    } catch {
      return; // the database is away; readiness reports it
    }
    if (cache !== this.cache || this.stopped) return;
    // The first check learns the run; whatever was cached before it answered may be older: start afresh then too.
    if (runId === this.visibleRunId || (this.visibleRunId === undefined && this.cache.size === 0)) {
      this.visibleRunId = runId;
      return;
    }
    // Another process's run: every cached document may be the previous run's.
    this.logger.info({ runId }, 'a newer segmentation run became visible: affinity cache replaced');
    this.showRun(runId, this.newCache());
    if (this.warmed) void this.warm();
  }

  private showRun(runId: string | null, cache: DocCache<Buffer>): void {
    this.visibleRunId = runId;
    this.cache = cache;
    this.rankings.clear();
  }

  /** Stops the watcher and background promotion (shutdown: the driver closes next). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.promoting;
  }

  private users<T>(work: () => Promise<T>): Promise<T> {
    const result = this.userQueue.then(work, work);
    this.userQueue = result.catch(() => undefined);
    return result;
  }

  private full<T>(work: () => Promise<T>): Promise<T> {
    const result = this.fullQueue.then(work, work);
    this.fullQueue = result.catch(() => undefined);
    return result;
  }

  /** Forgets cached documents of these users in every cache (the served one and the prepared one). */
  private invalidate(userIds: readonly string[]): void {
    this.cache.invalidate(userIds);
    this.pending?.cache.invalidate(userIds);
  }

  // ---- computing -------------------------------------------------------------------------------------------

  private async fetchModel(runId: string): Promise<RunModel> {
    const { segments, memberships, related } = await this.repo.runModel(runId);
    const labels = new Map(segments.map((s) => [s.segmentId, s.label ?? s.segmentId]));
    const shares = new Map(segments.filter((s) => typeof s.share === 'number').map((s) => [s.segmentId, s.share!]));
    const segmentOf = new Map<string, string>();
    for (const m of memberships) if (labels.has(m.segmentId)) segmentOf.set(m.topicId, m.segmentId);
    const rel = new Map<string, RelatedTopic[]>();
    for (const r of related) {
      let list = rel.get(r.topicId);
      if (!list) rel.set(r.topicId, (list = []));
      list.push({ id: r.id, name: r.name, weight: r.weight });
    }
    return { runId, segmentOf, labels, shares, related: rel };
  }

  private async loadModel(runId: string): Promise<RunModel> {
    const known = this.models.get(runId);
    if (known) return known;
    const model = await this.fetchModel(runId);
    this.keepModel(model);
    return model;
  }

  private keepModel(model: RunModel): void {
    this.models.delete(model.runId);
    this.models.set(model.runId, model);
    while (this.models.size > 3) this.models.delete(this.models.keys().next().value!);
  }

  private render(model: RunModel, row: UserInterestsRow, affs: SegmentAffinity[]): AffinityDoc {
    return {
      runId: model.runId,
      segments: scoreSegments(affs, (id) => model.shares.get(id), (id) => model.labels.get(id) ?? id),
      suggestedTopics: suggestTopics(row.interests, (t) => model.related.get(t), new Set(row.removed)),
    };
  }

  /** Withdrawn consent: no profile at all, and the user leaves every audience with the deleted edges. */
  private docFor(model: RunModel, row: UserInterestsRow, affs?: SegmentAffinity[]): AffinityDoc {
    if (row.consent === false) return EMPTY(model.runId);
    return this.render(model, row, affs ?? segmentAffinities(row.interests, (t) => model.segmentOf.get(t)));
  }

  private static docWrite(doc: AffinityDoc): DocWrite {
    return {
      doc: JSON.stringify(doc),
      segments: doc.segments.map((s) => ({ segmentId: s.segmentId, affinity: s.affinity, lift: s.lift, topics: s.topics })),
    };
  }

  /**
   * Every user's segment of one for a run that has just written its segments (the runCompleted hook): affinities
   * first, then the population shares they imply (written on the segments), then lift, then batched writes of
   * `affinityNext` and the run's AFFINITY edges. Readers keep seeing the previous run until runSucceeded.
   */
  recomputeAll(runId: string): Promise<{ users: number; segments: number }> {
    return this.full(async () => {
      const started = Date.now();
      const pending: Pending = { runId, dirty: new Set(), cache: this.newCache() };
      this.pending = pending;
      const model = await this.fetchModel(runId);
      const acc = new ShareAccumulator();
      const computed: Array<{ row: UserInterestsRow; affs: SegmentAffinity[] }> = [];
      const modelMs = Date.now() - started;
      await this.repo.streamUserInterests((row) => {
        const affs = row.consent === false ? [] : segmentAffinities(row.interests, (t) => model.segmentOf.get(t));
        acc.add(affs);
        computed.push({ row, affs });
      });
      const streamMs = Date.now() - started - modelMs;
      const shares = acc.shares();
      for (const id of model.labels.keys()) if (!shares.has(id)) shares.set(id, 0);
      model.shares = shares;
      await this.repo.writeShares(runId, shares);
      const rows: AffinityWriteRow[] = computed.map(({ row, affs }) => ({
        userId: row.userId,
        ...AffinityService.docWrite(this.docFor(model, row, affs)),
      }));
      computed.length = 0;
      const t0 = Date.now();
      await this.repo.writeNext(runId, emptyJson(runId), rows, (done, total) => {
        if (total > 20_000) this.logger.info({ runId, done, total }, 'writing affinities');
      });
      const writeMs = Date.now() - t0;
      this.keepModel(model);
      pending.model = model;
      // What was written above was computed from interests read before these users changed.
      let redone = 0;
      while (pending.dirty.size > 0) {
        const ids = [...pending.dirty];
        pending.dirty.clear();
        redone += ids.length;
        await this.recomputeUsers(ids);
      }
      if (this.pending === pending) {
        void this.fill(pending.cache, (onRow) => this.repo.streamNextDocs(runId, onRow), 'affinity cache for the next run warmed');
      }
      this.logger.info(
        { runId, users: rows.length, population: acc.population, redone, modelMs, streamMs, writeMs, ms: Date.now() - started },
        'affinities prepared for the run',
      );
      return { users: rows.length, segments: shares.size };
    });
  }

  /**
   * The run's status is `succeeded`: readers in the database already choose its documents; this process now serves
   * the cache prepared for it (one swap), then moves the documents into place in the background.
   */
  runSucceeded(runId: string): void {
    const pending = this.pending?.runId === runId ? this.pending : undefined;
    this.pending = undefined;
    this.showRun(runId, pending?.cache ?? this.newCache());
    if (!pending && this.warmed) void this.warm();
    const previous = this.promoting ?? Promise.resolve();
    const promotion: Promise<void> = previous
      .then(() => this.promote(runId))
      .catch((err: unknown) => this.logger.warn({ err, runId }, 'promoting affinities failed; readers are unaffected, the next run retries'))
      .finally(() => {
        if (this.promoting === promotion) this.promoting = undefined;
      });
    this.promoting = promotion;
  }

  /** Resolves when the background promotion after a run (if any) has finished. */
  async settled(): Promise<void> {
    while (this.promoting) await this.promoting;
  }

  private async promote(runId: string): Promise<void> {
    const started = Date.now();
    const current = () => !this.stopped && this.visibleRunId === runId;
    const promoted = await this.drain('promote-next-affinities', runId, current);
    await this.drain('drop-stale-next-affinities', runId, current);
    if (!current()) return;
    // Users the run did not write: created or changed by another process meanwhile.
    const off = await this.repo.usersOffRun(runId);
    for (let i = 0; i < off.length && current(); i += CLEANUP_BATCH) await this.recomputeUsers(off.slice(i, i + CLEANUP_BATCH));
    this.logger.info({ runId, promoted, recomputed: off.length, ms: Date.now() - started }, 'affinities promoted');
  }

  /**
   * A run failed (before its status says so): drop what was prepared for it. Readers never served it (the run did
   * not succeed), so nothing has to be put back.
   */
  async runFailed(runId: string): Promise<void> {
    if (this.pending?.runId === runId) this.pending = undefined;
    this.models.delete(runId);
    await this.drain('drop-run-next-affinities', runId);
    await this.drain('drop-run-affinity-edges', runId);
  }

  /** Runs a batched cleanup statement until a batch comes back short (or `go` says stop); how many it handled. */
  private async drain(name: Parameters<AffinityRepository['batch']>[0], runId: string, go = () => true): Promise<number> {
    let total = 0;
    for (let n = CLEANUP_BATCH; n === CLEANUP_BATCH && go(); total += n) {
      n = await this.users(() => this.repo.batch(name, runId));
    }
    return total;
  }

  /**
   * After an interest or consent change: only these users, against the visible run (and the prepared one), before
   * the change returns. Cached documents are dropped at once, not when the queue gets here: meanwhile reads go to
   * the database, which applies consent at read time.
   */
  recomputeUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return Promise.resolve();
    const ids = [...new Set(userIds)];
    this.invalidate(ids);
    return this.users(async () => {
      const visible = await this.repo.visibleRun();
      const vModel = visible === null ? undefined : await this.loadModel(visible);
      for (let i = 0; i < ids.length; i += 5000) {
        const chunk = ids.slice(i, i + 5000);
        const rows = await this.repo.userInterests(chunk);
        const plan = await this.nextPlan(rows, visible, chunk);
        if (!vModel && !plan.next && plan.keep === null) continue;
        const writes = rows.map((row) => ({
          userId: row.userId,
          ...(vModel ? AffinityService.docWrite(this.docFor(vModel, row)) : { doc: NO_RUN_DOC, segments: [] }),
          next: plan.next && plan.writeNext(row) ? AffinityService.docWrite(this.docFor(plan.next, row)) : null,
        }));
        const nextRunId = plan.next?.runId ?? null;
        await this.repo.writeUsers(
          { runId: visible, nextRunId, keepRunId: plan.keep, emptyDoc: emptyJson(visible), emptyNextDoc: emptyJson(nextRunId) },
          writes,
        );
      }
      this.invalidate(ids);
    });
  }

  /** Which prepared run these users' update also writes (or leaves alone while its full recompute writes it). */
  private async nextPlan(
    rows: ChangedUserRow[],
    visible: string | null,
    chunk: string[],
  ): Promise<{ next?: RunModel; keep: string | null; writeNext: (row: ChangedUserRow) => boolean }> {
    const pending = this.pending && this.pending.runId !== visible ? this.pending : undefined;
    if (pending?.model) return { next: pending.model, keep: null, writeNext: () => true };
    if (pending) {
      for (const id of chunk) pending.dirty.add(id);
      return { keep: pending.runId, writeNext: () => false };
    }
    // Another process is preparing a run and already wrote these users' documents for it: follow the change there too.
    const other = rows.find((r) => r.nextStatus === 'running' && r.nextRunId !== null && r.nextRunId !== visible)?.nextRunId;
    if (!other) return { keep: null, writeNext: () => false };
    return { next: await this.loadModel(other), keep: null, writeNext: (row) => row.nextRunId === other };
  }

  /** People were erased: forget their cached documents (the database no longer has them; nothing to recompute). */
  forget(userIds: readonly string[]): void {
    this.invalidate(userIds);
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** GET /v1/users/:user/affinities as JSON bytes, from the cache when it can. */
  async forUser(ref: string): Promise<Buffer> {
    const cache = this.cache;
    const hit = cache.get(ref);
    if (hit) return withUser(ref, hit.doc);
    if (!this.warmed) void this.warm();
    // Stored in the cache this read started with: if a new run became visible meanwhile, that one is gone.
    const stamp = cache.stamp();
    const [row] = await this.repo.readDocs([ref]);
    if (!row?.userId) throw AppError.notFound('User');
    const doc = storedBytes(row);
    cache.set(stamp, ref, row.userId, doc);
    return withUser(ref, doc);
  }

  /** POST /v1/affinities/batch as JSON bytes: `{ items, missing }`. */
  async forUsers(refs: string[]): Promise<Buffer> {
    const cache = this.cache;
    const unique = [...new Set(refs)];
    const docs = new Map<string, Buffer>();
    const toRead: string[] = [];
    for (const ref of unique) {
      const hit = cache.get(ref);
      if (hit) docs.set(ref, hit.doc);
      else toRead.push(ref);
    }
    if (toRead.length > 0) {
      const stamp = cache.stamp();
      for (const row of await this.repo.readDocs(toRead)) {
        if (!row.userId) continue;
        const doc = storedBytes(row);
        docs.set(row.ref, doc);
        cache.set(stamp, row.ref, row.userId, doc);
      }
    }
    const parts: Buffer[] = [Buffer.from('{"items":[')];
    for (const r of unique) {
      const doc = docs.get(r);
      if (!doc) continue;
      if (parts.length > 1) parts.push(COMMA);
      parts.push(withUser(r, doc));
    }
    const missing = unique.filter((r) => !docs.has(r));
    parts.push(Buffer.from(`],"missing":${JSON.stringify(missing)}}`));
    return Buffer.concat(parts);
  }

  // ---- audiences: always the visible run's AFFINITY edges ---------------------------------------------------

  private async audienceSegment(segmentId: string, known?: string | null): Promise<string> {
    const runId = known === undefined ? await this.repo.visibleRun() : known;
    if (runId === null) throw AppError.notFound('Segment');
    const seg = await this.repo.findSegment(runId, segmentId);
    if (!seg) throw AppError.notFound('Segment');
    if (seg.level !== 'coarse') {
      throw new AppError(404, 'not-found', 'Audiences exist for top-level (coarse) segments only; this is a sub-segment');
    }
    return runId;
  }

  static present(row: AudienceRow): { user: string; affinity: number; lift: number } {
    return { user: row.address ?? row.userId, affinity: row.affinity, lift: row.lift };
  }

  async audiencePage(
    segmentId: string,
    filter: AudienceFilter,
    after: { affinity: number; userId: string } | undefined,
    limit: number,
  ): Promise<{ runId: string; rows: AudienceRow[]; last?: { affinity: number; userId: string }; total?: number }> {
    const runId = await this.audienceSegment(segmentId);
    // The first page also says how large the whole audience is, so nobody pages through it just to count.
    const [rows, total] = await Promise.all([
      this.repo.audiencePage({ runId, segmentId, ...filter, after, limit: limit + 1 }),
      after ? undefined : this.repo.countAudience({ runId, segmentId, ...filter }),
    ]);
    const page = rows.slice(0, limit);
    const lastRow = page[page.length - 1];
    const more = rows.length > limit && lastRow ? { last: { affinity: lastRow.affinity, userId: lastRow.userId } } : {};
    return { runId, rows: page, ...more, ...(total === undefined ? {} : { total }) };
  }

  /** The whole audience, page by page from the database (keyset), for streaming exports. */
  async *audienceAll(segmentId: string, filter: AudienceFilter, pageSize = 5000): AsyncGenerator<AudienceRow[]> {
    const runId = await this.audienceSegment(segmentId);
    let after: { affinity: number; userId: string } | undefined;
    for (;;) {
      const rows = await this.repo.audiencePage({ runId, segmentId, ...filter, after, limit: pageSize });
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = { affinity: last.affinity, userId: last.userId };
    }
  }

  // ---- audiences from rules ----------------------------------------------------------------------------------

  /**
   * Every user matching the rule, ranked by affinity to `rankBy` (default: the first segment in the rule).
   * Each leaf is one query; the combination happens in memory, which suits audiences up to a few hundred thousand.
   * The ranking is kept for RULE_CACHE_MS per (visible run, rankBy, rule), so the pages of one audience are slices
   * of one evaluation; a new visible run starts afresh. People erased or without consent since then are filtered
   * out when a page is addressed (the addresses query only finds consenting users).
   */
  async ruleAudience(rule: Rule, rankBy: string | undefined): Promise<Ranked[]> {
    return (await this.rankedRule(rule, rankBy)).ranked;
  }

  private async rankedRule(rule: Rule, rankBy: string | undefined): Promise<{ runId: string | null; ranked: Ranked[] }> {
    const runId = await this.repo.visibleRun();
    const key = JSON.stringify([runId, rankBy ?? null, rule]);
    const now = Date.now();
    const hit = this.rankings.get(key);
    if (hit && hit.expires > now) return { runId, ranked: hit.ranked };
    const ranked = await this.evaluateRule(rule, rankBy, runId);
    this.rankings.delete(key);
    this.rankings.set(key, { expires: now + RULE_CACHE_MS, ranked });
    let rows = 0;
    for (const [k, v] of this.rankings) {
      if (v.expires <= now) this.rankings.delete(k);
      else rows += v.ranked.length;
    }
    // Oldest first, until the cache is within bounds (a single huge audience is not kept at all).
    for (const [k, v] of this.rankings) {
      if (this.rankings.size <= RULE_CACHE_ENTRIES && rows <= RULE_CACHE_ROWS) break;
      this.rankings.delete(k);
      rows -= v.ranked.length;
    }
    return { runId, ranked };
  }

  private async evaluateRule(rule: Rule, rankBy: string | undefined, runId: string | null): Promise<Ranked[]> {
    const all = leaves(rule);
    const segmentIds = new Set([...all.filter(isSegment).map((l) => l.segment), ...(rankBy ? [rankBy] : [])]);
    for (const id of segmentIds) await this.audienceSegment(id, runId);
    const matched = new Map<Leaf, Set<string>>();
    await Promise.all(
      all.map(async (leaf) => {
        let ids: string[];
        if (isSegment(leaf)) {
          ids = (await this.repo.segmentMembers(runId!, leaf.segment, leaf.minAffinity ?? 0, leaf.minLift ?? 0)).map((r) => r.userId);
        } else if ('purchased' in leaf) {
          const { topic, sku, withinDays } = leaf.purchased;
          ids = await this.repo.purchasers({ topicKey: topic ? topicKey(topic) : null, sku: sku ?? null, days: withinDays ?? null });
        } else {
          ids = await this.repo.interested(topicKey(leaf.interest.topic), leaf.interest.minWeight ?? 0);
        }
        matched.set(leaf, new Set(ids));
      }),
    );
    const users = evaluate(rule, (leaf) => matched.get(leaf)!);
    const ranking = rankBy ?? all.find(isSegment)?.segment;
    const scores = new Map<string, { affinity: number; lift: number }>();
    if (ranking && runId) {
      for (const r of await this.repo.segmentMembers(runId, ranking, 0, 0)) scores.set(r.userId, { affinity: r.affinity, lift: r.lift });
    }
    return rank(users, (id) => scores.get(id));
  }

  /** One page of a rule audience; a page can hold fewer than `limit` when people left since the ranking was made. */
  async rulePage(rule: Rule, rankBy: string | undefined, after: { affinity: number; userId: string } | undefined, limit: number) {
    const { runId, ranked } = await this.rankedRule(rule, rankBy);
    const start = afterCursor(ranked, after);
    const page = ranked.slice(start, start + limit);
    const addresses = await this.repo.addresses(page.map((r) => r.userId));
    const last = page[page.length - 1];
    return {
      /** The run the ranking was read from (the visible one). */
      runId,
      items: page.filter((r) => addresses.has(r.userId)).map((r) => ({ user: addresses.get(r.userId)!, affinity: r.affinity, lift: r.lift })),
      ...(start + limit < ranked.length && last ? { last: { affinity: last.affinity, userId: last.userId } } : {}),
    };
  }

  /** The matching users in pages with their addresses, for CSV export. */
  async *ruleAll(rule: Rule, rankBy: string | undefined, pageSize = 5000): AsyncGenerator<AudienceRow[]> {
    const ranked = await this.ruleAudience(rule, rankBy);
    for (let i = 0; i < ranked.length; i += pageSize) {
      const page = ranked.slice(i, i + pageSize);
      const addresses = await this.repo.addresses(page.map((r) => r.userId));
      yield page.filter((r) => addresses.has(r.userId)).map((r) => ({ ...r, address: addresses.get(r.userId)! }));
    }
  }
}
