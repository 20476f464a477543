import type { Deps } from '../deps.js';
import type { Affinity } from '../affinity/index.js';
import type { VisibleRun } from '../segmentation/visible-run.js';
import { InsightRepository } from './insight-repository.js';
import { InsightService } from './insight-service.js';

export type { InsightService } from './insight-service.js';

/**
 * Insight and comparisons over audiences, computed in memory beside the affinity feature: it reads the people held
 * there, the visible run's model and the audiences, and counts the population once per run (recounting in the
 * background as soon as a new run becomes visible).
 */
export function createInsight(deps: Deps, visible: VisibleRun, affinity: Affinity, hidden: (topicId: string) => boolean) {
  const repo = new InsightRepository(deps.db);
  const service = new InsightService(affinity.sync, affinity.served, affinity.audiences, repo, deps.logger, hidden);
  // Registered after the affinity feature's: its model of the new run is loaded by the time this runs.
  visible.onSwitch(async () => service.prepare());
  return service;
}
