import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { Segmentation } from '../segmentation/index.js';
import { RunRunner } from '../segmentation/run-runner.js';

/** An idle worker also looks for runs left by dead processes this often. */
const RECOVER_EVERY_MS = 30_000;
/** After a database error the loop waits this long (doubling up to the maximum) before trying again. */
const ERROR_BACKOFF_MS = 1_000;
const ERROR_BACKOFF_MAX_MS = 15_000;

export interface RunWorkerOptions {
  /** How often an idle worker looks for a queued run (WORKER_POLL_MS); nudge() wakes it at once. */
  pollMs: number;
  /** How often it also recovers runs with a stale heartbeat (default 30 s; tests that plant stale runs turn it off). */
  recoverEveryMs?: number;
}

/**
 * Claims queued runs from Neo4j (status queued → running, owner = this worker's instance id) and executes them one at
 * a time with a RunRunner. Any number of workers, in any number of processes, may compete: the claim is one locked
 * statement, so each run is executed once. Hosted by src/worker/main.ts (the worker process); benchmarks and tests
 * that need to observe a run from inside may host one in their own process.
 */
export class RunWorker {
  readonly instanceId: string;
  readonly runner: RunRunner;
  private readonly segmentation: Segmentation;
  private readonly logger: Logger;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;
  private current: Promise<unknown> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;

  constructor(
    services: Pick<Services, 'segmentation' | 'logger'>,
    private readonly opts: RunWorkerOptions,
  ) {
    this.segmentation = services.segmentation;
    this.instanceId = services.segmentation.instanceId;
    this.logger = services.logger.child({ worker: this.instanceId });
    const { repository, engine, curator } = services.segmentation;
    this.runner = new RunRunner(repository, engine, this.logger, curator);
  }

  /** Starts the claim loop (once): recovers what dead processes left, then executes queued runs as they come. */
  start(): void {
    this.loop ??= this.run();
  }

  /** A run was just queued: look now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Claims the queued run (if any, of this worker's engine) and executes it; its id, or null when there was none.
   * For hosts that drive the worker themselves (benchmarks); start() does this in a loop.
   */
  async runOnce(): Promise<string | null> {
    if (this.stopper.signal.aborted) return null;
    const { repository, engine } = this.segmentation;
    const claimed = await repository.claimNextRun(this.instanceId, engine.name);
    if (!claimed) return null;
    const execution = this.runner.execute(claimed, this.stopper.signal);
    this.current = execution;
    try {
      await execution;
    } finally {
      this.current = undefined;
    }
    return claimed.id;
  }

  /**
   * Stops claiming; a run in progress stops at its next check, is cleaned up and marked failed ("interrupted:
   * shutdown"). Resolves when it has.
   */
  async stop(): Promise<void> {
    this.stopper.abort();
    this.wake?.();
    await this.loop;
    await this.current;
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    await this.startUp();
    let lastRecovery = Date.now();
    let backoff = ERROR_BACKOFF_MS;
    while (!signal.aborted) {
      let wait = this.opts.pollMs;
      try {
        if (Date.now() - lastRecovery >= (this.opts.recoverEveryMs ?? RECOVER_EVERY_MS)) {
          lastRecovery = Date.now();
          await this.segmentation.recovery.recoverStale();
        }
        this.nudged = false;
        // Straight on to the next claim after a run: another may have been queued the moment this one finished.
        if ((await this.runOnce()) !== null) continue;
        backoff = ERROR_BACKOFF_MS;
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn({ err }, 'run worker: could not claim or execute a run; trying again');
        wait = backoff;
        backoff = Math.min(backoff * 2, ERROR_BACKOFF_MAX_MS);
      }
      if (!this.nudged) await this.sleep(wait);
    }
  }

  /** Runs a dead process left (stale heartbeat) and their leftovers in the database, before the first claim. */
  private async startUp(): Promise<void> {
    const { recovery, engine, repository } = this.segmentation;
    try {
      await recovery.recoverStale();
      const dropped = await engine.dropLeftovers(async () => (await repository.activeRun())?.id);
      if (dropped.length > 0) this.logger.info({ graphs: dropped }, 'dropped GDS graphs left by a stopped process');
    } catch (err) {
      // Only cleanup is at stake here: the periodic recovery tries again.
      this.logger.warn({ err }, 'run worker: start-up recovery failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wake = wake;
    });
  }
}
