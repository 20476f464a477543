/**
 * Curation in the run worker: every new run is curated before it becomes visible. Exclusions and pins change what the
 * run computes; names and merges are carried from the previous run through the new run's lineage and written on its
 * segments with their figures measured on the run's own people. Decisions made while the run was computed reach it
 * when it becomes visible (CurationService.catchUp in every API process).
 */
import type { Logger } from '../logger.js';
import type { SegmentsResult } from '../segmentation/pipeline.js';
import type { RunCurator } from '../segmentation/run-runner.js';
import { carry } from '../segmentation/lineage.js';
import type { CurationRepository, Decision } from './curation-repository.js';
import type { PlacedDecision } from './overlay.js';
import { buildOverlay, carryTo, granularitySetting } from './run-overlay.js';

export class WorkerCurator implements RunCurator {
  constructor(
    private readonly repo: CurationRepository,
    private readonly logger: Logger,
  ) {}

  async excludedTopics(): Promise<ReadonlySet<string>> {
    const decisions = await this.repo.activeDecisions();
    return new Set(decisions.filter((d) => d.kind === 'exclude' && d.topicId).map((d) => d.topicId!));
  }

  async pinsFor(previousRunId: string): Promise<Array<{ topicId: string; segmentId: string }>> {
    const pins = (await this.repo.activeDecisions()).filter((d) => d.kind === 'pin' && d.topicId);
    const present = await this.presentIn(previousRunId);
    const out: Array<{ topicId: string; segmentId: string }> = [];
    // Newest last: a topic pinned twice goes where it was pinned last.
    for (const d of pins) {
      const [segmentId] = await carryTo(d, previousRunId, present, (id) => this.repo.lineage(id));
      if (segmentId) out.push({ topicId: d.topicId!, segmentId });
    }
    return out;
  }

  async prepare(runId: string, previousRunId: string | null, result: SegmentsResult) {
    // The sequence first: a decision made after it is read may or may not be in the list, and is caught up either way.
    const seq = await this.repo.logSeq();
    const decisions = await this.repo.activeDecisions();
    const coarse = result.segments.filter((s) => s.level === 'coarse');
    const placed = await this.place(decisions, previousRunId, result);
    const { setting } = granularitySetting(decisions);
    const built = await buildOverlay(coarse, placed, setting, result.hierarchy ?? null, (groups) => result.groupStats(groups));
    const metrics = {
      seq,
      names: built.rows.labels.length,
      groups: built.rows.groups.length,
      excludedTopics: decisions.filter((d) => d.kind === 'exclude').length,
      pins: decisions.filter((d) => d.kind === 'pin').length,
      granularity: {
        setting,
        cut: built.cut,
        recommended: result.hierarchy?.recommended ?? null,
        natural: coarse.filter((s) => !s.other).length,
      },
      segments: built.served,
    };
    this.logger.debug({ runId, curation: metrics }, 'curation carried to the new run');
    return { write: () => this.repo.writeOverlay(runId, built.rows, seq, result.hierarchy ?? null), metrics };
  }

  /** Renames and merges carried to the previous run, then one step on through the new run's own lineage. */
  private async place(decisions: readonly Decision[], previousRunId: string | null, result: SegmentsResult): Promise<PlacedDecision[]> {
    if (!previousRunId) return [];
    const present = await this.presentIn(previousRunId);
    const out: PlacedDecision[] = [];
    for (const d of decisions) {
      if (d.kind !== 'rename' && d.kind !== 'merge') continue;
      const atPrevious = await carryTo(d, previousRunId, present, (id) => this.repo.lineage(id));
      out.push({ id: d.id, seq: d.seq, kind: d.kind, label: d.label, targets: carry(atPrevious, [result.stability.coarse]) });
    }
    return out;
  }

  private async presentIn(runId: string): Promise<Set<string>> {
    return new Set((await this.repo.runState(runId)).segments.map((s) => s.id));
  }
}
