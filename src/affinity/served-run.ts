/**
 * The visible run as the affinity feature serves it: its RunModel (loaded before the run becomes visible in this
 * process, see segmentation/visible-run.ts) and the audience index over it, built on demand in slices and rebuilt in
 * the background once too many people changed since.
 */
import type { Logger } from '../logger.js';
import type { ServedRunRecord, VisibleRun } from '../segmentation/visible-run.js';
import { halfLifeMs, runDecay } from '../segmentation/decay.js';
import type { AffinityRepository } from './affinity-repository.js';
import { AudienceIndex } from './audience-index.js';
import { ModelBuild } from './model-build.js';
import type { PopulationSync } from './population-sync.js';
import type { RunModel } from './run-model.js';
import type { ErasedDerived } from '../privacy/erasure.js';

export class ServedRun {
  private model: RunModel | null = null;
  private version: string | null = null;
  private index: AudienceIndex | undefined;
  private readonly building = new ModelBuild<AudienceIndex>();

  constructor(
    private readonly repo: AffinityRepository,
    private readonly sync: PopulationSync,
    private readonly visible: VisibleRun,
    private readonly logger: Logger,
  ) {
    visible.onSwitch((run) => this.prepare(run));
    sync.onChange((slot) => {
      this.index?.touch(slot);
      this.building.pending?.touch(slot);
    });
  }

  /** The model of the run readers see here (null before the first run), as it is now. */
  get current(): RunModel | null {
    return this.model;
  }

  /** Whether this process knows the visible run yet (`ready()` would not wait). */
  get known(): boolean {
    return this.visible.peek() !== undefined;
  }

  /** The same, once this process knows the visible run at all (a fresh process learns it by its first check). */
  async ready(): Promise<RunModel | null> {
    await this.visible.get();
    return this.model;
  }

  /**
   * Topics, links and segment names that went with an erased person: out of the served model (an audience index being
   * built over it reads the same model).
   */
  forget(derived: ErasedDerived): void {
    this.model?.forget(derived);
  }

  /** Feed entries were missed (some may have been erasures): the served model is read again. */
  async reload(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const fresh = await this.repo.runModel(model.runId, model.halfLifeMs);
    if (this.model !== model) return;
    this.model = fresh;
    this.index = undefined;
  }

  /** VisibleRun's preparer: loads the new run's model; the switch happens when this resolves. */
  private async prepare(run: ServedRunRecord | null): Promise<void> {
    // A curation change (names, merges) is a new version of the same run: its segments changed.
    const version = run ? `${run.id}@${run.curationSeq}` : null;
    if (version === this.version) return;
    const started = Date.now();
    const model = run ? await this.repo.runModel(run.id, halfLifeMs(runDecay(run.params)?.halfLifeDays)) : null;
    this.model = model;
    this.version = version;
    this.index = undefined;
    if (model) {
      this.logger.info(
        { runId: model.runId, segments: model.segmentCount, ms: Date.now() - started },
        'segment-of-one model of the visible run loaded',
      );
      if (this.sync.isWarm) void this.audienceIndex().catch(() => undefined);
    }
  }

  /** The audience index of the current model, once every change made before the call is in the store. */
  async audienceIndex(): Promise<AudienceIndex> {
    await this.sync.settled();
    const model = await this.ready();
    if (!model) throw new Error('no visible run');
    if (this.index?.model === model) {
      // Outdated but usable (changed people are computed afresh): answer from it while a new one builds.
      if (this.index.outdated) void this.build(model).catch(() => undefined);
      return this.index;
    }
    return this.build(model);
  }

  private build(model: RunModel): Promise<AudienceIndex> {
    return this.building.of(
      model,
      () => new AudienceIndex(this.sync.store, model),
      (index, ms) => {
        if (this.model === model) this.index = index;
        this.logger.debug({ runId: model.runId, people: this.sync.store.size, ms }, 'audience index built');
      },
    );
  }
}
