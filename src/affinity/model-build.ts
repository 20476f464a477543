import { setImmediate as pause } from 'node:timers/promises';
import type { RunModel } from './run-model.js';

/** Something computed over everyone held in memory for one run's model, filled in slices that yield. */
export interface SlicedFill {
  fill(pause: () => Promise<void>): Promise<unknown>;
}

/**
 * At most one background fill per run model at a time (the audience index, insight's population counts): asking again
 * for the model being built joins that build; a build for another model replaces it as the one `pending` names.
 */
export class ModelBuild<T extends SlicedFill> {
  private building: { model: RunModel; value: T; done: Promise<T> } | undefined;

  /** What is being filled now, if anything (changes to people must reach it too). */
  get pending(): T | undefined {
    return this.building?.value;
  }

  /** The fill of `model`: the one under way, or a new `make()`; `done(value, ms)` runs once it is full. */
  of(model: RunModel, make: () => T, done: (value: T, ms: number) => void): Promise<T> {
    if (this.building?.model === model) return this.building.done;
    const started = Date.now();
    const value = make();
    const filled = value
      .fill(() => pause())
      .then(() => {
        done(value, Date.now() - started);
        return value;
      });
    const building = { model, value, done: filled };
    this.building = building;
    void filled
      .catch(() => undefined)
      .finally(() => {
        if (this.building === building) this.building = undefined;
      });
    return filled;
  }
}
