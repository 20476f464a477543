import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { Segmentation } from '../segmentation/index.js';
import { RefreshPolicy } from './refresh-policy.js';
import { RefreshRepository } from './refresh-repository.js';

/**
 * Refresh policy (API processes): scheduled and drift-triggered runs. Interest changes are stamped on the person
 * (`interestsChangedAt`) by the process that made them, which is what the drift counts.
 */
export function createRefresh(deps: Pick<Deps, 'config' | 'db' | 'logger'>, hooks: Hooks, segmentation: Segmentation): RefreshPolicy {
  const repo = new RefreshRepository(deps.db);
  const policy = new RefreshPolicy(
    repo,
    segmentation.repository,
    segmentation.queue,
    segmentation.visible,
    deps.logger,
    deps.config.REFRESH_CHECK_MS,
  );
  hooks.on('interestsChanged', ({ userIds }) => repo.markInterestsChanged(userIds));
  hooks.on('shutdown', () => policy.stop());
  return policy;
}
