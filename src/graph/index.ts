import type { Db } from '../db/neo4j.js';
import type { VisibleRun } from '../segmentation/visible-run.js';
import { TopicRepository } from './topic-repository.js';
import { TopicService } from './topic-service.js';

export { mountTopicRoutes } from './topic-routes.js';

/** The topic graph as marketers browse it: topic search and one topic with its segment in the visible run. */
export function createGraph(db: Db, visible: VisibleRun) {
  return { topics: new TopicService(new TopicRepository(db), visible) };
}

export type Graph = ReturnType<typeof createGraph>;
