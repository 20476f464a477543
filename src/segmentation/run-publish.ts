import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RunRecord, SegmentationRepository } from './repository.js';
import { isAudienceRun } from './run-record.js';
import type { VisibleRun } from './visible-run.js';

/** How long a publish waits for this process to serve the new run before it answers (the others follow within ~1 s). */
const SWITCH_WAIT_MS = 2_000;

/**
 * POST /v1/segmentation/runs/:id/publish: a succeeded candidate becomes the visible run. The switch is one statement
 * on the VisibleRun pointer (publish-run.cypher), the same event as a run that completes with `publish: true`: every
 * process's VisibleRun sees the pointer move and switches (its `onSwitch` preparers run first), so whatever follows
 * the visible run — segments, affinities, audiences, saved audiences — hooks that one switch.
 */
export class RunPublisher {
  constructor(
    private readonly repo: SegmentationRepository,
    private readonly visible: VisibleRun,
    private readonly logger: Logger,
  ) {}

  async publish(id: string): Promise<RunRecord> {
    const run = await this.repo.getRun(id);
    if (!run) throw AppError.notFound('Segmentation run');
    if (run.visible) return run;
    if (isAudienceRun(run)) throw audienceRunRefused(id, 'published');
    if (run.status !== 'succeeded') {
      throw new AppError(409, 'run-not-succeeded', `Segmentation run ${id} is ${run.status}: only a succeeded run can be published`);
    }
    if ((await this.repo.listSegments(id, 'coarse', 0, 1)).length === 0) {
      throw new AppError(
        409,
        'run-outdated',
        `Segmentation run ${id} no longer has its segments (retention keeps the newest runs); start a new run`,
      );
    }
    const outcome = await this.repo.publishRun(id);
    if (!outcome) throw AppError.notFound('Segmentation run');
    if (!outcome.moved && outcome.visibleRunId !== id) {
      if (outcome.busy) {
        throw new AppError(
          409,
          'run-in-progress',
          'A segmentation run is queued or running: it takes its segment ids from the visible run, so publish when it has finished',
        );
      }
      throw new AppError(
        409,
        'run-outdated',
        `Segmentation run ${id} was prepared against ${run.basedOn ? `run ${run.basedOn}` : 'no visible run'}, but ` +
          `${outcome.visibleRunId ? `run ${outcome.visibleRunId}` : 'none'} is visible now: its segment ids would not follow ` +
          "the visible run's. Start a new run",
      );
    }
    this.logger.info({ runId: id, previous: run.basedOn ?? null }, 'segmentation run published: it is the visible run');
    await this.repo.pruneRelated().catch((err: unknown) => this.logger.warn({ err }, 'could not drop RELATED edges no longer read'));
    // Answer once this process serves it (bounded: a large model may take longer to load; the switch still happens).
    await Promise.race([
      this.visible.refresh().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, SWITCH_WAIT_MS).unref()),
    ]);
    return (await this.repo.getRun(id)) ?? run;
  }
}

/** 409 for an audience's own segmentation: it is no population run, so it is neither published nor compared with one. */
export function audienceRunRefused(id: string, verb: string): AppError {
  return new AppError(
    409,
    'audience-run',
    `Segmentation run ${id} segments an audience (POST /v1/audiences/segmentation): it is never ${verb} as the population's`,
  );
}
