import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';
import { SegmentationRepository } from './repository.js';
import { SegmentationService } from './service.js';
import { TopicRepository } from '../graph/topic-repository.js';
import { TopicService } from '../graph/topic-service.js';

/** Segmentation runs (job runner + readers of the newest succeeded run) and topic lookups. */
export function createSegmentation(deps: Deps, hooks: Hooks) {
  const repo = new SegmentationRepository(deps.db);
  const runs = new SegmentationService(repo, hooks, deps.logger, deps.config.SEGMENTATION_ENGINE);
  const topics = new TopicService(new TopicRepository(deps.db), repo);
  return { runs, topics, repository: repo };
}

export type Segmentation = ReturnType<typeof createSegmentation>;
