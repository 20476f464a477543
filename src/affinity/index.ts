import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';
import { AffinityRepository } from './affinity-repository.js';
import { AffinityService } from './affinity-service.js';

export type { AffinityService } from './affinity-service.js';

/**
 * Segment of one. Affinities are precomputed so content systems read them in one lookup:
 * - for every user when a segmentation run has written its segments (`runCompleted`, awaited by the run before it is
 *   marked succeeded), beside the visible run's; served from `runSucceeded` on, dropped on `runFailed`;
 * - for the changed users on every interest or consent change (`interestsChanged`, awaited by ingestion), so a read
 *   right after an import or event already reflects it;
 * - erased people (`usersErased`) are only forgotten: the database no longer has anything of theirs.
 */
export function createAffinity(deps: Deps, hooks: Hooks) {
  const service = new AffinityService(new AffinityRepository(deps.db), deps.logger);
  hooks.on('runCompleted', async ({ runId }) => {
    await service.recomputeAll(runId);
  });
  hooks.on('runSucceeded', ({ runId }) => service.runSucceeded(runId));
  hooks.on('runFailed', ({ runId }) => service.runFailed(runId));
  hooks.on('interestsChanged', ({ userIds }) => service.recomputeUsers(userIds));
  hooks.on('usersErased', ({ userIds }) => service.forget(userIds));
  hooks.on('shutdown', () => service.stop());
  service.watch();
  return { service };
}

export type Affinity = ReturnType<typeof createAffinity>;
