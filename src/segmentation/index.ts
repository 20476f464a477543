import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import { SegmentationRepository } from './repository.js';
import type { SegmentationEngine } from './engine.js';
import { InProcessEngine } from './engine-in-process.js';
import { GdsEngine } from './engine-gds.js';
import { RunRecovery } from './run-recovery.js';
import { RunQueue } from './run-queue.js';
import { RunComparer } from './run-compare.js';
import { RunPublisher } from './run-publish.js';
import { SegmentQueries } from './segment-queries.js';
import { VisibleRun } from './visible-run.js';
import { CurationRepository } from '../curation/curation-repository.js';
import { WorkerCurator } from '../curation/run-curator.js';

/**
 * Segmentation: the run queue, publishing and comparing runs, and the readers of the visible run (API side), the
 * engine and what a run worker needs (src/worker/ builds its RunRunner from `repository` and `engine`), and recovery of
 * runs left by stopped processes. Needs no secret key: the run worker process builds only this feature.
 */
export function createSegmentation(deps: Pick<Deps, 'config' | 'db' | 'logger'>, hooks: Hooks) {
  const repository = new SegmentationRepository(deps.db);
  // The one place the engine is chosen.
  const engine: SegmentationEngine =
    deps.config.SEGMENTATION_ENGINE === 'gds' ? new GdsEngine(deps.db, repository) : new InProcessEngine(repository);
  const instanceId = deps.config.WORKER_INSTANCE_ID ?? randomUUID();
  const recovery = new RunRecovery(repository, engine, deps.logger, instanceId);
  const queue = new RunQueue(repository, recovery, engine.name);
  const visible = new VisibleRun(repository, deps.logger);
  const segments = new SegmentQueries(visible, repository);
  const publisher = new RunPublisher(repository, visible, deps.logger);
  const comparer = new RunComparer(repository, visible);
  // What a run worker applies of marketers' curation to every run it executes (src/curation/).
  const curator = new WorkerCurator(new CurationRepository(deps.db), deps.logger);
  hooks.on('shutdown', () => {
    queue.stop();
    visible.stop();
  });
  return { repository, engine, recovery, queue, visible, segments, publisher, comparer, instanceId, curator };
}

export type Segmentation = ReturnType<typeof createSegmentation>;
