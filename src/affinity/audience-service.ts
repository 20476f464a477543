/**
 * Audiences of the visible run: a segment's members by affinity (GET /v1/segments/:id/audience) and rule audiences
 * (POST /v1/audiences/query), answered from the in-memory audience index. Purchase and interest conditions are
 * database queries; the boolean combination and ranking happen here (rules.ts).
 */
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors.js';
import { topicKey } from '../graph/topic-key.js';
import type { AffinityRepository } from './affinity-repository.js';
import type { AudienceFilter, AudienceIndex, AudienceMember, Keyset } from './audience-index.js';
import type { PopulationSync } from './population-sync.js';
import { afterCursor, evaluate, isSegment, leaves, rank, type Leaf, type Ranked, type Rule } from './rules.js';
import type { RunModel } from './run-model.js';
import type { ServedRun } from './served-run.js';

export type { AudienceFilter, Keyset } from './audience-index.js';

/** An audience: a coarse segment's members at thresholds, or the people matching rules (POST /v1/audiences/query). */
export type AudienceDefinition =
  { segment: string; minAffinity?: number | undefined; minLift?: number | undefined } | { where: Rule; rankBy?: string | undefined };

/** Everyone in an audience now, as store slots, with the first people by affinity and the run model behind them. */
export interface AudienceMembers {
  model: RunModel;
  slots: Int32Array;
  top: AudienceRow[];
}

export interface AudienceRow {
  userId: string;
  affinity: number;
  lift: number;
  /** crm: identity when there is one, else facebook:, else the user id. */
  address: string;
}

/** A rule audience's ranking is kept this long, per rule and visible run, so paging through it evaluates it once. */
const RULE_CACHE_MS = 60_000;

export class AudienceService {
  private readonly rankings = new LRUCache<string, Ranked[]>({
    max: 32,
    maxSize: 1_000_000,
    sizeCalculation: (ranked) => Math.max(1, ranked.length),
    ttl: RULE_CACHE_MS,
  });

  constructor(
    private readonly repo: AffinityRepository,
    private readonly sync: PopulationSync,
    private readonly run: ServedRun,
  ) {}

  /** The index and the position of a coarse segment of the visible run in it; 404 otherwise. */
  private async segment(segmentId: string): Promise<{ index: AudienceIndex; segment: number }> {
    const model = await this.run.ready();
    const slot = model?.segmentSlot(segmentId);
    if (!model || slot === undefined) {
      const found = model && (await this.repo.findSegment(model.runId, segmentId));
      if (found) throw new AppError(404, 'not-found', 'Audiences exist for top-level (coarse) segments only; this is a sub-segment');
      throw AppError.notFound('Segment');
    }
    const index = await this.run.audienceIndex();
    // The visible run may have changed while the index was awaited: then the segment must be looked up again.
    const again = index.model.segmentSlot(segmentId);
    if (again === undefined) throw AppError.notFound('Segment');
    return { index, segment: again };
  }

  private rows(members: readonly AudienceMember[]): AudienceRow[] {
    const store = this.sync.store;
    return members.map((m) => ({ userId: m.userId, affinity: m.affinity, lift: m.lift, address: store.address(m.slot) }));
  }

  async audiencePage(
    segmentId: string,
    filter: AudienceFilter,
    after: Keyset | undefined,
    limit: number,
  ): Promise<{ runId: string; rows: AudienceRow[]; last?: Keyset; total?: number }> {
    const { index, segment } = await this.segment(segmentId);
    const members = index.page(segment, filter, after, limit + 1);
    const page = members.slice(0, limit);
    const lastRow = page[page.length - 1];
    return {
      runId: index.model.runId,
      rows: this.rows(page),
      ...(members.length > limit && lastRow ? { last: { affinity: lastRow.affinity, userId: lastRow.userId } } : {}),
      // The first page also says how large the whole audience is, so nobody pages through it just to count.
      ...(after ? {} : { total: index.count(segment, filter) }),
    };
  }

  /** The whole audience in pages, for streaming exports (each page a fresh selection after the previous one). */
  async *audienceAll(segmentId: string, filter: AudienceFilter, pageSize = 5000): AsyncGenerator<AudienceRow[]> {
    const { index, segment } = await this.segment(segmentId);
    let after: Keyset | undefined;
    for (;;) {
      const page = index.page(segment, filter, after, pageSize);
      if (page.length > 0) yield this.rows(page);
      if (page.length < pageSize) return;
      const last = page[page.length - 1]!;
      after = { affinity: last.affinity, userId: last.userId };
    }
  }

  /**
   * Everyone in an audience as slots of consenting people held now (unordered), and the first `top` of them by
   * affinity (to the segment, or to the rules' ranking segment). For insight and comparisons, which tally the members'
   * interests in memory.
   */
  async members(def: AudienceDefinition, top: number): Promise<AudienceMembers> {
    if ('segment' in def) {
      const { index, segment } = await this.segment(def.segment);
      const filter = { minAffinity: def.minAffinity ?? 0, minLift: def.minLift ?? 0 };
      const slots: number[] = [];
      index.scan(segment, filter, (slot) => slots.push(slot));
      const first = top > 0 ? this.rows(index.page(segment, filter, undefined, top)) : [];
      return { model: index.model, slots: Int32Array.from(slots), top: first };
    }
    const { ranked } = await this.ranked(def.where, def.rankBy);
    await this.sync.settled();
    const model = this.run.current;
    if (!model)
      throw new AppError(409, 'no-segmentation-run', "No segmentation run has succeeded yet: insight is computed over a run's segments");
    const rows = this.present(ranked);
    const store = this.sync.store;
    return { model, slots: Int32Array.from(rows, (r) => store.slotOf(r.userId)!), top: rows.slice(0, top) };
  }

  // ---- audiences from rules --------------------------------------------------------------------------------------

  /**
   * Every consenting person matching the rule, ranked by affinity to `rankBy` (default: the first segment in the
   * rule), kept RULE_CACHE_MS per (visible run, rankBy, rule) so that the pages of one audience are slices of one
   * evaluation; people erased or without consent since are left out of each page.
   */
  private async ranked(rule: Rule, rankBy: string | undefined): Promise<{ runId: string | null; ranked: Ranked[] }> {
    const runId = (await this.run.ready())?.runId ?? null;
    const key = JSON.stringify([runId, rankBy ?? null, rule]);
    const hit = this.rankings.get(key);
    if (hit) return { runId, ranked: hit };
    const ranked = await this.evaluateRule(rule, rankBy);
    this.rankings.set(key, ranked);
    return { runId, ranked };
  }

  private async evaluateRule(rule: Rule, rankBy: string | undefined): Promise<Ranked[]> {
    const all = leaves(rule);
    const ranking = rankBy ?? all.find(isSegment)?.segment;
    const segmentIds = new Set([...all.filter(isSegment).map((l) => l.segment), ...(ranking ? [ranking] : [])]);
    const segments = new Map<string, { index: AudienceIndex; segment: number }>();
    for (const id of segmentIds) segments.set(id, await this.segment(id));
    if (segmentIds.size === 0) await this.sync.settled();
    const matched = new Map<Leaf, Set<string>>();
    await Promise.all(
      all.map(async (leaf) => {
        let ids: Iterable<string>;
        if (isSegment(leaf)) {
          const { index, segment } = segments.get(leaf.segment)!;
          ids = index.scores(segment, { minAffinity: leaf.minAffinity ?? 0, minLift: leaf.minLift ?? 0 }).keys();
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
    const ranker = ranking === undefined ? undefined : segments.get(ranking)!;
    const scores = ranker?.index.scores(ranker.segment, { minAffinity: 0, minLift: 0 });
    return rank(users, (id) => scores?.get(id));
  }

  /** Addresses of the people of `page` who still exist and consent to marketing (the others are left out). */
  private present(page: readonly Ranked[]): AudienceRow[] {
    const store = this.sync.store;
    const out: AudienceRow[] = [];
    for (const r of page) {
      const slot = store.slotOf(r.userId);
      if (slot === undefined || !store.markets(slot)) continue;
      out.push({ ...r, address: store.address(slot) });
    }
    return out;
  }

  /** One page of a rule audience; it can hold fewer than `limit` when people left since the ranking was made. */
  async rulePage(rule: Rule, rankBy: string | undefined, after: Keyset | undefined, limit: number) {
    const { runId, ranked } = await this.ranked(rule, rankBy);
    await this.sync.settled();
    const start = afterCursor(ranked, after);
    const page = ranked.slice(start, start + limit);
    const last = page[page.length - 1];
    return {
      /** The run the ranking was read from (the visible one). */
      runId,
      items: this.present(page).map((r) => ({ user: r.address, affinity: r.affinity, lift: r.lift })),
      ...(start + limit < ranked.length && last ? { last: { affinity: last.affinity, userId: last.userId } } : {}),
    };
  }

  /** The matching people in pages with their addresses, for CSV export. */
  async *ruleAll(rule: Rule, rankBy: string | undefined, pageSize = 5000): AsyncGenerator<AudienceRow[]> {
    const { ranked } = await this.ranked(rule, rankBy);
    for (let i = 0; i < ranked.length; i += pageSize) yield this.present(ranked.slice(i, i + pageSize));
  }
}
