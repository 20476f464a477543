import type { Logger } from '../logger.js';
import type { SegmentationEngine } from './engine.js';
import type { ClaimedForRecovery, SegmentationRepository } from './repository.js';
import { keepAlive, STALE_MS } from './run-heartbeat.js';

/**
 * Runs left behind by a process that stopped are taken over and cleaned up like a failed run, so they neither block
 * new runs nor leave anything behind: GDS graphs dropped, its segments and RELATED edges deleted (nothing per person is
 * ever written for a run), then it is marked failed. A run whose cleanup fails stays claimed without heartbeat, so a
 * later recovery retries it.
 *
 * Two ways to find them: a supervising parent names its dead child (`recoverOwnedBy`, at once); anyone else waits for
 * the heartbeat to go stale (`recoverStale`: at worker start, periodically in every worker, and when a new run is
 * refused because a stale one holds the slot).
 */
export class RunRecovery {
  constructor(
    private readonly repo: SegmentationRepository,
    private readonly engine: SegmentationEngine,
    private readonly logger: Logger,
    /** This process's id: recorded as the recovering owner while it cleans up. */
    private readonly instanceId: string,
  ) {}

  async recoverStale(): Promise<string[]> {
    const runs = await this.repo.claimStaleRuns(STALE_MS, this.instanceId);
    return this.cleanUp(runs, (run) =>
      run.status === 'queued'
        ? `not started: no run worker for this engine claimed it within ${STALE_MS / 1000} s (is a worker running? WORKER=external needs \`npm run worker\`)`
        : `interrupted: the process running it stopped (no heartbeat since ${run.lastBeat})`,
    );
  }

  /** Runs of a worker process that is known to be dead (`how`: e.g. "killed by SIGKILL"). */
  async recoverOwnedBy(owner: string, how: string): Promise<string[]> {
    const runs = await this.repo.claimRunsOf(owner, this.instanceId);
    return this.cleanUp(runs, () => `interrupted: the worker process running it died (${how})`);
  }

  private async cleanUp(runs: ClaimedForRecovery[], reason: (run: ClaimedForRecovery) => string): Promise<string[]> {
    const recovered: string[] = [];
    for (const run of runs) {
      const log = this.logger.child({ runId: run.id });
      const { stop: stopBeat } = keepAlive(this.repo, run.id, () => null, log);
      try {
        // In-memory GDS graphs only hold memory: failing to drop them must not keep the run from being failed.
        await this.engine
          .dropRunLeftovers(run.id)
          .catch((err) => log.warn({ err }, 'could not drop the GDS graphs of a run left by a stopped process'));
        await this.repo.deleteRunData(run.id);
        const error = reason(run);
        await this.repo.failRun(run.id, error);
        log.warn({ phase: run.phase, error }, 'segmentation run left by a stopped process: cleaned up and marked failed');
        recovered.push(run.id);
      } catch (err) {
        log.error({ err }, 'could not clean up a segmentation run left by a stopped process');
      } finally {
        stopBeat();
      }
    }
    return recovered;
  }
}
