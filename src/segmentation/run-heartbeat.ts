import type { Logger } from '../logger.js';
import type { SegmentationRepository } from './repository.js';

/**
 * A run being executed (or cleaned up) refreshes its heartbeat this often, and at every phase change; one silent for
 * STALE_MS is treated as left by a dead process. The timer cannot fire while pair counting and Louvain run
 * synchronously in the worker (2–2.6 s of CPU at 10k and 20k users × 25 interests, linear in interests: an estimated
 * 10–20 s at 100k), so the threshold is several times the longest synchronous stretch, and the heartbeat is written
 * just before it starts. A worker with a supervising parent does not wait for this: the parent fails its runs the
 * moment it dies.
 */
export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 120_000;

/** Beats until the returned function is called; `phase` is written with every beat. */
export function keepAlive(repo: SegmentationRepository, runId: string, phase: () => string | null, log: Logger): () => void {
  const timer = setInterval(() => {
    repo.heartbeat(runId, phase()).catch((err) => log.warn({ err }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}
