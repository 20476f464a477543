import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { DocCache } from './doc-cache.js';
import type { AffinityRepository, AffinityWriteRow, AudienceRow, UserInterestsRow } from './affinity-repository.js';
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

const EMPTY = (runId: string | null): AffinityDoc => ({ runId, segments: [], suggestedTopics: [] });
const NO_RUN_DOC = JSON.stringify(EMPTY(null));

/** The response body from a stored document, without parsing it again: `{"user": ..., ...doc}`. */
const NO_RUN_BYTES = Buffer.from(NO_RUN_DOC);
const OPEN_BRACE = 0x7b;
const COMMA = Buffer.from(',');

/** A stored document as bytes; anything that is not a non-empty JSON object reads as "no run yet". */
function docBytes(doc: string | null): Buffer {
  return doc && doc.startsWith('{') && doc.length > 2 ? Buffer.from(doc) : NO_RUN_BYTES;
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

export class AffinityService {
  private model: RunModel | undefined;
  /** Set by runCompleted: that run is about to become the newest succeeded one. */
  private hintedRunId: string | undefined;
  /** Full and incremental recomputes write the same edges: one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cache: DocCache<Buffer>;
  private warming: Promise<void> | undefined;
  /** A fresh process warms the cache on its first read (once; a full recompute warms it again). */
  private warmed = false;

  constructor(
    private readonly repo: AffinityRepository,
    private readonly logger: Logger,
    opts: { cacheSize?: number; cacheTtlMs?: number } = {},
  ) {
    // In-process changes invalidate at once; the TTL bounds staleness after changes made by another process.
    this.cache = new DocCache<Buffer>(opts.cacheSize ?? 1_000_000, opts.cacheTtlMs ?? 10 * 60_000);
  }

  /**
   * Loads every stored document into the cache, under each address (identity keys and user id). Runs in the
   * background after a full recompute and on the first read of a fresh process.
   */
  warm(): Promise<void> {
    this.warmed = true;
    this.warming ??= (async () => {
      const stamp = this.cache.stamp();
      const started = Date.now();
      const n = await this.repo.streamDocs((row) => {
        const doc = docBytes(row.doc);
        this.cache.set(stamp, row.userId, row.userId, doc);
        for (const key of row.keys) this.cache.set(stamp, key, row.userId, doc);
      });
      this.logger.info({ users: n, ms: Date.now() - started }, 'affinity cache warmed');
    })()
      .catch((err: unknown) => this.logger.warn({ err }, 'affinity cache warm-up failed'))
      .finally(() => (this.warming = undefined));
    return this.warming;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  // ---- computing -------------------------------------------------------------------------------------------

  private async loadModel(runId: string): Promise<RunModel> {
    if (this.model?.runId === runId) return this.model;
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
    this.model = { runId, segmentOf, labels, shares, related: rel };
    return this.model;
  }

  /** The run affinities follow: the newest succeeded one, or the one just completed in this process. */
  private async currentRunId(): Promise<string | null> {
    const r = await this.repo.currentRun(this.hintedRunId);
    const hintedUsable =
      r.hintedId !== null &&
      r.hintedStatus !== 'failed' &&
      (r.newestId === null || r.hintedId === r.newestId || (r.hintedCreatedAt ?? '') >= (r.newestCreatedAt ?? ''));
    return hintedUsable ? r.hintedId : r.newestId;
  }

  private render(model: RunModel, row: UserInterestsRow, affs: SegmentAffinity[]): AffinityDoc {
    return {
      runId: model.runId,
      segments: scoreSegments(affs, (id) => model.shares.get(id), (id) => model.labels.get(id) ?? id),
      suggestedTopics: suggestTopics(row.interests, (t) => model.related.get(t), new Set(row.removed)),
    };
  }

  private static writeRow(userId: string, doc: AffinityDoc): AffinityWriteRow {
    return {
      userId,
      doc: JSON.stringify(doc),
      segments: doc.segments.map((s) => ({ segmentId: s.segmentId, affinity: s.affinity, lift: s.lift, topics: s.topics })),
    };
  }

  /**
   * Every consenting user's segment of one for a run that has just written its segments: affinities first, then the
   * population shares they imply (written on the segments), then lift, then batched writes.
   */
  recomputeAll(runId: string): Promise<{ users: number; segments: number; cleared: number }> {
    return this.exclusive(async () => {
      const started = Date.now();
      this.hintedRunId = runId;
      const model = await this.loadModel(runId);
      const acc = new ShareAccumulator();
      const computed: Array<{ row: UserInterestsRow; affs: SegmentAffinity[] }> = [];
      const modelMs = Date.now() - started;
      await this.repo.streamConsentingInterests((row) => {
        const affs = segmentAffinities(row.interests, (t) => model.segmentOf.get(t));
        acc.add(affs);
        computed.push({ row, affs });
      });
      const streamMs = Date.now() - started - modelMs;
      const shares = acc.shares();
      for (const id of model.labels.keys()) if (!shares.has(id)) shares.set(id, 0);
      model.shares = shares;
      await this.repo.writeShares(runId, shares);
      const rows = computed.map(({ row, affs }) => AffinityService.writeRow(row.userId, this.render(model, row, affs)));
      computed.length = 0;
      const t0 = Date.now();
      await this.repo.writeAffinities(runId, rows, (done, total) => {
        if (total > 20_000) this.logger.info({ runId, done, total }, 'writing affinities');
      });
      const writeMs = Date.now() - t0;
      const cleared = await this.repo.clearStale(runId);
      this.cache.clear();
      void this.warm();
      this.logger.info(
        { runId, users: rows.length, population: acc.population, cleared, modelMs, streamMs, writeMs, ms: Date.now() - started },
        'affinities recomputed',
      );
      return { users: rows.length, segments: shares.size, cleared };
    });
  }

  /**
   * A run failed after (part of) its affinities were written: those replaced everyone's documents and AFFINITY edges,
   * so put everyone back on the run readers still see (or clear them when there is none).
   */
  async restoreAfterFailedRun(runId: string): Promise<void> {
    if (this.hintedRunId !== runId) return;
    this.hintedRunId = undefined;
    const current = await this.currentRunId();
    if (current !== null) {
      await this.recomputeAll(current);
      return;
    }
    await this.exclusive(async () => {
      await this.repo.clearStale('');
      this.cache.clear();
    });
  }

  /** After an interest or consent change: only these users, against the current run, before the change returns. */
  recomputeUsers(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return Promise.resolve();
    const ids = [...new Set(userIds)];
    return this.exclusive(async () => {
      this.cache.invalidate(ids);
      const runId = await this.currentRunId();
      if (runId === null) return;
      const model = await this.loadModel(runId);
      for (let i = 0; i < ids.length; i += 5000) {
        const rows = await this.repo.userInterests(ids.slice(i, i + 5000));
        const writes = rows.map((row) => {
          // Withdrawn consent: no profile at all, and the user leaves every audience with the deleted edges.
          const doc =
            row.consent === false ? EMPTY(runId) : this.render(model, row, segmentAffinities(row.interests, (t) => model.segmentOf.get(t)));
          return AffinityService.writeRow(row.userId, doc);
        });
        await this.repo.writeAffinities(runId, writes);
      }
      this.cache.invalidate(ids);
    });
  }

  /** A person was erased elsewhere: forget any cached document. */
  forget(userIds: readonly string[]): void {
    this.cache.invalidate(userIds);
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** GET /v1/users/:user/affinities as JSON bytes, from the cache when it can. */
  async forUser(ref: string): Promise<Buffer> {
    const hit = this.cache.get(ref);
    if (hit) return withUser(ref, hit.doc);
    if (!this.warmed) void this.warm();
    const stamp = this.cache.stamp();
    const [row] = await this.repo.readDocs([ref]);
    if (!row?.userId) throw AppError.notFound('User');
    const doc = docBytes(row.doc);
    this.cache.set(stamp, ref, row.userId, doc);
    return withUser(ref, doc);
  }

  /** POST /v1/affinities/batch as JSON bytes: `{ items, missing }`. */
  async forUsers(refs: string[]): Promise<Buffer> {
    const unique = [...new Set(refs)];
    const docs = new Map<string, Buffer>();
    const toRead: string[] = [];
    for (const ref of unique) {
      const hit = this.cache.get(ref);
      if (hit) docs.set(ref, hit.doc);
      else toRead.push(ref);
    }
    if (toRead.length > 0) {
      const stamp = this.cache.stamp();
      for (const row of await this.repo.readDocs(toRead)) {
        if (!row.userId) continue;
        const doc = docBytes(row.doc);
        docs.set(row.ref, doc);
        this.cache.set(stamp, row.ref, row.userId, doc);
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

  // ---- audiences -------------------------------------------------------------------------------------------

  private async audienceSegment(segmentId: string): Promise<string> {
    const runId = await this.currentRunId();
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
  ): Promise<{ rows: AudienceRow[]; last?: { affinity: number; userId: string }; total?: number }> {
    const runId = await this.audienceSegment(segmentId);
    // The first page also says how large the whole audience is, so nobody pages through it just to count.
    const [rows, total] = await Promise.all([
      this.repo.audiencePage({ runId, segmentId, ...filter, after, limit: limit + 1 }),
      after ? undefined : this.repo.countAudience({ runId, segmentId, ...filter }),
    ]);
    const page = rows.slice(0, limit);
    const lastRow = page[page.length - 1];
    const more = rows.length > limit && lastRow ? { last: { affinity: lastRow.affinity, userId: lastRow.userId } } : {};
    return { rows: page, ...more, ...(total === undefined ? {} : { total }) };
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
   */
  async ruleAudience(rule: Rule, rankBy: string | undefined): Promise<Ranked[]> {
    const all = leaves(rule);
    const segmentIds = new Set([...all.filter(isSegment).map((l) => l.segment), ...(rankBy ? [rankBy] : [])]);
    const runId = segmentIds.size > 0 ? await this.currentRunId() : null;
    for (const id of segmentIds) await this.audienceSegment(id);
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

  async rulePage(rule: Rule, rankBy: string | undefined, after: { affinity: number; userId: string } | undefined, limit: number) {
    const ranked = await this.ruleAudience(rule, rankBy);
    const start = afterCursor(ranked, after);
    const page = ranked.slice(start, start + limit);
    const addresses = await this.repo.addresses(page.map((r) => r.userId));
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ user: addresses.get(r.userId) ?? r.userId, affinity: r.affinity, lift: r.lift })),
      ...(start + limit < ranked.length && last ? { last: { affinity: last.affinity, userId: last.userId } } : {}),
    };
  }

  /** The matching users in pages with their addresses, for CSV export. */
  async *ruleAll(rule: Rule, rankBy: string | undefined, pageSize = 5000): AsyncGenerator<AudienceRow[]> {
    const ranked = await this.ruleAudience(rule, rankBy);
    for (let i = 0; i < ranked.length; i += pageSize) {
      const page = ranked.slice(i, i + pageSize);
      const addresses = await this.repo.addresses(page.map((r) => r.userId));
      yield page.map((r) => ({ ...r, address: addresses.get(r.userId) ?? null }));
    }
  }
}
