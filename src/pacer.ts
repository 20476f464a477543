import { performance } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';

/**
 * Long work on an event loop that also answers requests (a stream of rows, a fill over everyone held in memory) lets
 * the loop turn once it has worked TURN_MS since the last turn: a request that arrives meanwhile waits about that long,
 * whatever the size of the population. Fixed slices of people would not: their cost grows with what each person holds.
 */
export const TURN_MS = 5;

export class Pacer {
  private since = performance.now();

  constructor(private readonly budgetMs = TURN_MS) {}

  /** True once the budget is spent: check it in a hot loop, and `await turn()` only then. */
  get due(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  /** Lets the event loop turn (timers, I/O, waiting requests), then starts a new budget. */
  async turn(): Promise<void> {
    await turn();
    this.since = performance.now();
  }

  /** `turn()` when the budget is spent, else nothing: what to call between small pieces of work. */
  async pace(): Promise<void> {
    if (this.due) await this.turn();
  }
}
