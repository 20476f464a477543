import { Pacer } from '../pacer.js';
import type { RunModel } from './run-model.js';

/** People per slice of a fill: small enough that a slice stays well under the pacer's budget at any population. */
export const FILL_SLICE = 500;

/** Something computed over everyone held in memory for one run's model, filled in small slices, `pause()` between them. */
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
    const pacer = new Pacer();
    const filled = value
      .fill(() => pacer.pace())
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
