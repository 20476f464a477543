/**
 * Saved audiences as the API offers them: definitions (the rules POST /v1/audiences/query takes), their members and
 * membership history as the evaluator stored them, exports, destinations and the outcome report. Membership itself is
 * written only by the evaluator (evaluator.ts), in the background.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { preferredAddress } from '../affinity/interest-store.js';
import { isSegment, leaves, misplacedNegations, namedTopics, type Rule } from '../affinity/rules.js';
import type { RunModel } from '../affinity/run-model.js';
import type { AudienceRecord, AudienceRepository } from './audience-repository.js';
import type { DestinationRecord, DestinationRepository } from './destination-repository.js';
import { compareGroups } from './outcome.js';
import { newSigningSecret, type SecretBox } from './secret-box.js';

export interface AudienceInput {
  name: string;
  where: Rule;
  holdoutPercent: number;
}

/** Members per page when an export streams the whole audience. */
const EXPORT_PAGE = 5000;

export class SavedAudienceService {
  constructor(
    private readonly repo: AudienceRepository,
    private readonly destinations: DestinationRepository,
    private readonly box: SecretBox,
    /** The visible run's model (segment conditions must name its top-level segments). */
    private readonly model: () => RunModel | null,
    /** Something changed that the evaluator should look at now (when it runs in this process). */
    private readonly nudge: () => void,
    /** 400 `sensitive-topic` when a condition names a sensitive topic or category (src/privacy/sensitive-service.ts). */
    private readonly refuseSensitive: (named: Array<{ path: string; topic: string }>) => Promise<void> = async () => {},
  ) {}

  /** A negation beside a positive condition only, and segments of the visible run (as POST /v1/audiences/query). */
  private async check(where: Rule, path: string): Promise<void> {
    const misplaced = misplacedNegations(where, path);
    if (misplaced.length > 0) {
      throw AppError.badRequest(
        'A negation needs a positive condition beside it in `all`',
        misplaced.map((p) => ({ path: p, message: '`not` is only allowed inside `all` next to a positive condition' })),
      );
    }
    const model = this.model();
    for (const leaf of leaves(where).filter(isSegment)) {
      if (model?.segmentSlot(leaf.segment) === undefined) {
        throw new AppError(404, 'not-found', `Segment ${leaf.segment} is not a top-level (coarse) segment of the visible run`);
      }
    }
    await this.refuseSensitive(namedTopics(where, path));
  }

  async create(input: AudienceInput): Promise<AudienceRecord> {
    await this.check(input.where, 'body.where');
    const id = `aud_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    await this.repo.create({ id, name: input.name, definition: input.where, holdoutPercent: input.holdoutPercent });
    this.nudge();
    return this.require(id);
  }

  async require(id: string): Promise<AudienceRecord> {
    const a = await this.repo.get(id);
    if (!a) throw AppError.notFound('Audience');
    return a;
  }

  list(offset: number, limit: number): Promise<AudienceRecord[]> {
    return this.repo.list(offset, limit);
  }

  async update(id: string, changes: { name?: string | undefined; where?: Rule | undefined }): Promise<AudienceRecord> {
    if (changes.where) await this.check(changes.where, 'body.where');
    const a = await this.repo.update(id, { name: changes.name, definition: changes.where });
    if (!a) throw AppError.notFound('Audience');
    this.nudge();
    return a;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) throw AppError.notFound('Audience');
  }

  // ---- members -------------------------------------------------------------------------------------------------

  /**
   * Current members outside the holdout after `after` (user id): up to `limit` of them with their address and when they
   * entered, and the user id to continue after when there may be more. People without consent are left out.
   */
  async members(id: string, after: string, limit: number) {
    await this.require(id);
    return this.memberPage(id, after, limit);
  }

  private async memberPage(id: string, after: string, limit: number) {
    const rows = await this.repo.pageMembers(id, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page
        .filter((r) => r.consent)
        .map((r) => ({ user: preferredAddress(r.userId, r.keys), userId: r.userId, enteredAt: r.enteredAt })),
      next: rows.length > limit ? page[page.length - 1]!.userId : undefined,
    };
  }

  /**
   * The whole audience outside the holdout, for a CSV export: records the export first (the outcome report measures
   * purchases after the first one), then yields pages.
   */
  async exportMembers(id: string): Promise<AsyncGenerator<Array<{ user: string; enteredAt: string }>>> {
    await this.require(id);
    await this.repo.recordExport(id);
    const pages = async function* (this: SavedAudienceService) {
      let after = '';
      for (;;) {
        const page = await this.memberPage(id, after, EXPORT_PAGE);
        if (page.items.length > 0) yield page.items;
        if (page.next === undefined) return;
        after = page.next;
      }
    };
    return pages.call(this);
  }

  /** Every stint in the audience (holdout included, flagged), by person then time; one person's when `user` is given. */
  async history(id: string, userId: string | null, after: { u: string; s: number }, limit: number) {
    await this.require(id);
    const rows = await this.repo.pageHistory(id, userId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        user: preferredAddress(r.userId, r.keys),
        userId: r.userId,
        enteredAt: r.enteredAt,
        exitedAt: r.exitedAt,
        holdout: r.holdout,
      })),
      next: rows.length > limit && last ? { u: last.userId, s: last.seq } : undefined,
    };
  }

  // ---- outcome -------------------------------------------------------------------------------------------------

  /**
   * Purchases after `since` (default: the audience's first export) by the people who were members then, treated
   * (outside the holdout: exported) against the holdout, with the difference of purchase rates and its 95% interval.
   */
  async outcome(id: string, since: string | undefined) {
    const a = await this.require(id);
    if (a.holdoutPercent <= 0)
      throw new AppError(409, 'no-holdout', 'The audience has no holdout to compare with; create one with holdoutPercent');
    const from = since ?? a.firstExportedAt;
    if (!from)
      throw new AppError(409, 'not-exported', 'The audience has not been exported yet: export it (CSV or a destination), or pass `since`');
    const rows = await this.repo.outcome(id, from);
    const group = (holdout: boolean) => {
      const r = rows.find((x) => x.holdout === holdout);
      return {
        people: r?.people ?? 0,
        buyers: r?.buyers ?? 0,
        purchases: r?.purchases ?? 0,
        revenue: Math.round((r?.revenue ?? 0) * 100) / 100,
      };
    };
    const treated = group(false);
    const holdout = group(true);
    return {
      audienceId: id,
      since: from,
      asOf: new Date().toISOString(),
      holdoutPercent: a.holdoutPercent,
      treated,
      holdout,
      ...compareGroups(treated, holdout),
      method: 'newcombe-wilson' as const,
      confidence: 0.95,
    };
  }

  // ---- destinations --------------------------------------------------------------------------------------------

  /** A webhook destination; the answer carries its signing secret, shown this once. */
  async addDestination(
    audienceId: string,
    input: { url: string; name?: string | undefined },
  ): Promise<DestinationRecord & { secret: string }> {
    const secret = newSigningSecret();
    const d = await this.destinations.create({
      id: `dst_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      audienceId,
      name: input.name ?? null,
      url: input.url,
      secret: this.box.seal(secret),
    });
    if (!d) throw AppError.notFound('Audience');
    this.nudge();
    return { ...d, secret };
  }

  async listDestinations(audienceId: string): Promise<DestinationRecord[]> {
    await this.require(audienceId);
    return this.destinations.list(audienceId);
  }

  async destination(audienceId: string, id: string): Promise<DestinationRecord> {
    const d = await this.destinations.get(audienceId, id);
    if (!d) throw AppError.notFound('Destination');
    return d;
  }

  async deleteDestination(audienceId: string, id: string): Promise<void> {
    if (!(await this.destinations.delete(audienceId, id))) throw AppError.notFound('Destination');
  }

  async deliveries(audienceId: string, id: string, offset: number, limit: number) {
    await this.destination(audienceId, id);
    return this.destinations.deliveries(id, offset, limit);
  }
}
