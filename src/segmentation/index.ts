import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';
import { SegmentationRepository } from './repository.js';
import { SegmentationService } from './service.js';
import { VisibleRun } from './visible-run.js';
import { TopicRepository } from '../graph/topic-repository.js';
import { TopicService } from '../graph/topic-service.js';

/** Segmentation runs (job runner + readers of the visible run) and topic lookups. */
export function createSegmentation(deps: Deps, hooks: Hooks) {
  const repo = new SegmentationRepository(deps.db);
  const visible = new VisibleRun(repo, deps.logger);
  const runs = new SegmentationService(repo, hooks, deps.logger, deps.config.SEGMENTATION_ENGINE, visible);
  const topics = new TopicService(new TopicRepository(deps.db), visible);
  hooks.on('shutdown', () => visible.stop());
  return { runs, topics, visible, repository: repo };
}

export type Segmentation = ReturnType<typeof createSegmentation>;
