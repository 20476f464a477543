import { AppError } from '../errors.js';
import type { Level } from './pipeline.js';
import type { RunRecord, SegmentationRepository } from './repository.js';
import { isAudienceRun } from './run-record.js';
import { audienceRunRefused } from './run-publish.js';
import { compareRuns, jaccard, type Stability } from './stability.js';
import type { VisibleRun } from './visible-run.js';

/** What changes between the visible run and another run, by topics (stability.ts), for each level. */
export interface TopicComparison {
  run: RunRecord;
  visibleRunId: string | null;
  /** Whether POST …/publish would make it visible now (its ids follow the visible run's lineage). */
  publishable: boolean;
  coarse: Stability;
  fine: Stability;
}

/**
 * GET /v1/segmentation/runs/:id/compare, the topic part: the run's segments against the visible run's (as this process
 * serves it), with the same NMI, split, merged, appeared and vanished a run records against the run it followed. For a
 * candidate prepared against the visible run these are the figures its metrics carry and publishing shows.
 */
export class RunComparer {
  constructor(
    private readonly repo: SegmentationRepository,
    private readonly visible: VisibleRun,
  ) {}

  async compare(id: string): Promise<TopicComparison> {
    const run = await this.repo.getRun(id);
    if (!run) throw AppError.notFound('Segmentation run');
    if (isAudienceRun(run)) throw audienceRunRefused(id, 'compared');
    if (run.status !== 'succeeded') {
      throw new AppError(409, 'run-not-succeeded', `Segmentation run ${id} is ${run.status}: only a succeeded run can be compared`);
    }
    await this.visible.refresh().catch(() => undefined);
    const shown = (await this.visible.get())?.id ?? null;
    const [mine, theirs] = await Promise.all([
      this.repo.runSegmentTopics(id),
      shown === null ? Promise.resolve([]) : this.repo.runSegmentTopics(shown),
    ]);
    const level = (l: Level) => {
      const current = mine.filter((s) => s.level === l);
      const previous = theirs.filter((s) => s.level === l);
      // The overlap a kept id records is the Jaccard overlap of the two segments that share it.
      const before = new Map(previous.map((s) => [s.id, new Set(s.topics)]));
      const overlaps = new Map<string, number>();
      for (const s of current) {
        const p = before.get(s.id);
        if (p) overlaps.set(s.id, jaccard(new Set(s.topics), p));
      }
      return compareRuns(shown, current, previous, overlaps);
    };
    return {
      run,
      visibleRunId: shown,
      publishable: run.visible || (run.basedOn ?? null) === shown,
      coarse: level('coarse'),
      fine: level('fine'),
    };
  }
}
