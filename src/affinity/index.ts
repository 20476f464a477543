import type { Deps } from '../services.js';
import type { Hooks } from '../hooks.js';
import { AffinityRepository } from './affinity-repository.js';
import { AffinityService } from './affinity-service.js';

export type { AffinityService } from './affinity-service.js';

/**
 * Segment of one. Affinities are precomputed so content systems read them in one lookup:
 * - for every consenting user when a segmentation run has written its segments (`runCompleted`, awaited by the run
 *   before it is marked succeeded);
 * - for the changed users on every interest or consent change (`interestsChanged`, awaited by ingestion), so a read
 *   right after an import or event already reflects it.
 */
export function createAffinity(deps: Deps, hooks: Hooks) {
  const service = new AffinityService(new AffinityRepository(deps.db), deps.logger);
  hooks.on('runCompleted', async ({ runId }) => {
    await service.recomputeAll(runId);
  });
  hooks.on('interestsChanged', ({ userIds }) => service.recomputeUsers(userIds));
  hooks.on('runFailed', ({ runId }) => service.restoreAfterFailedRun(runId));
  return { service };
}

export type Affinity = ReturnType<typeof createAffinity>;
