/**
 * Segment any audience: an audience definition (a rule, a saved audience, or an uploaded list of user references) is
 * resolved to its members here, in the API process, and queued as an `audience` run: the run worker segments only
 * those people with the same pipeline, writes the audience's own segments under the run's id, and never publishes it,
 * so the population's segments (`/v1/segments`), segments of one, audiences and candidate runs are untouched. Consent:
 * the run reads only members consenting to segmentation and marketing (stream-audience-interests.cypher).
 */
import { AppError } from '../errors.js';
import type { AudienceService } from '../affinity/audience-service.js';
import type { RuleInput } from '../affinity/schemas.js';
import { misplacedNegations, namedTopics, type Rule } from '../affinity/rules.js';
import type { RunParams } from '../segmentation/pipeline.js';
import type { RunQueue } from '../segmentation/run-queue.js';
import type { SegmentationRepository } from '../segmentation/repository.js';
import { isAudienceRun } from '../segmentation/run-record.js';
import type { SegmentQueries } from '../segmentation/segment-queries.js';
import { MAX_AUDIENCE_USERS, MIN_AUDIENCE_USERS } from './schemas.js';

/** 400 `sensitive-topic` when a rule names a sensitive topic or category (as POST /v1/audiences/query). */
export type RefuseSensitive = (named: Array<{ path: string; topic: string }>) => Promise<void>;

export type AudienceInput = { where: RuleInput } | { users: string[] } | { savedAudienceId: string };

interface Resolver {
  resolveMany(refs: string[]): Promise<Map<string, string>>;
}

/** Saved audiences (src/audiences/): members outside the holdout, consenting, a page at a time. */
interface SavedAudiences {
  members(id: string, after: string, limit: number): Promise<{ items: Array<{ userId: string }>; next: string | undefined }>;
}

const SAVED_PAGE = 5000;

const LISTED_UNRESOLVED = 100;

export class AudienceSegmentationService {
  constructor(
    private readonly queue: RunQueue,
    private readonly repo: SegmentationRepository,
    private readonly segments: Pick<SegmentQueries, 'shown'>,
    private readonly audiences: AudienceService,
    private readonly users: Resolver,
    private readonly saved: SavedAudiences,
    private readonly refuseSensitive: RefuseSensitive,
  ) {}

  async start(audience: AudienceInput, params: Partial<RunParams> | undefined) {
    const { userIds, definition, unresolved } = await this.members(audience);
    if (userIds.length < MIN_AUDIENCE_USERS) {
      throw new AppError(
        422,
        'audience-too-small',
        `The audience has ${userIds.length} members; segmenting needs at least ${MIN_AUDIENCE_USERS}`,
      );
    }
    if (userIds.length > MAX_AUDIENCE_USERS) {
      throw new AppError(
        422,
        'audience-too-large',
        `The audience has ${userIds.length} members; at most ${MAX_AUDIENCE_USERS} can be segmented on their own`,
      );
    }
    // An audience's segments link no topics to each other (RELATED belongs to the population's run).
    const run = await this.queue.enqueue({ ...params, relatedPerTopic: 0 }, 'api', {
      definition: { ...definition, users: userIds.length },
      userIds,
    });
    return {
      ...run,
      kind: 'audience' as const,
      users: userIds.length,
      unresolved: unresolved.slice(0, LISTED_UNRESOLVED),
      unresolvedCount: unresolved.length,
    };
  }

  async get(id: string) {
    const run = await this.repo.getRun(id);
    if (!run || !isAudienceRun(run)) throw AppError.notFound('Audience segmentation');
    const segments = run.status === 'succeeded' ? await this.repo.listSegments(run.id, 'coarse', 0, 1000) : [];
    return {
      id: run.id,
      status: run.status,
      createdAt: run.createdAt,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      ...(run.error ? { error: run.error } : {}),
      audience: run.audience ?? {},
      ...(run.metrics ? { metrics: run.metrics } : {}),
      segments: segments.map((segment) => {
        const { mergedInto: _merged, ...s } = this.segments.shown(segment);
        return s;
      }),
    };
  }

  async topics(id: string, segmentId: string, skip: number, limit: number) {
    const run = await this.repo.getRun(id);
    if (!run || !isAudienceRun(run)) throw AppError.notFound('Audience segmentation');
    if (!(await this.repo.getSegment(run.id, segmentId))) throw AppError.notFound('Segment');
    return this.repo.listSegmentTopics(run.id, segmentId, skip, limit);
  }

  private async members(
    audience: AudienceInput,
  ): Promise<{ userIds: string[]; definition: Record<string, unknown>; unresolved: string[] }> {
    if ('where' in audience) {
      const misplaced = misplacedNegations(audience.where as Rule, 'body.audience.where');
      if (misplaced.length > 0) {
        throw AppError.badRequest(
          'A negation needs a positive condition beside it in `all`',
          misplaced.map((path) => ({ path, message: '`not` is only allowed inside `all` next to a positive condition' })),
        );
      }
      await this.refuseSensitive(namedTopics(audience.where as Rule, 'body.audience.where'));
      const userIds: string[] = [];
      for await (const page of this.audiences.ruleAll(audience.where as Rule, undefined)) {
        for (const row of page) userIds.push(row.userId);
        if (userIds.length > MAX_AUDIENCE_USERS) break;
      }
      return { userIds, definition: { where: audience.where }, unresolved: [] };
    }
    if ('savedAudienceId' in audience) {
      // Its holdout stays out of the run, as it stays out of every export (404 for an unknown audience).
      const userIds: string[] = [];
      for (let after = ''; ;) {
        const page = await this.saved.members(audience.savedAudienceId, after, SAVED_PAGE);
        for (const m of page.items) userIds.push(m.userId);
        if (page.next === undefined || userIds.length > MAX_AUDIENCE_USERS) break;
        after = page.next;
      }
      return { userIds, definition: { savedAudienceId: audience.savedAudienceId }, unresolved: [] };
    }
    const refs = [...new Set(audience.users)];
    const found = await this.users.resolveMany(refs);
    const unresolved = refs.filter((r) => !found.has(r));
    return { userIds: [...new Set(found.values())], definition: { uploaded: refs.length }, unresolved };
  }
}
