import type { Deps } from '../deps.js';
import type { Segmentation } from '../segmentation/index.js';
import { CurationRepository } from './curation-repository.js';
import { CurationService } from './curation-service.js';

/** Curation, API side: decisions on segments, shown at once on the visible run (the run worker carries them to new runs). */
export function createCuration(deps: Pick<Deps, 'db' | 'logger'>, segmentation: Pick<Segmentation, 'visible'>) {
  const service = new CurationService(new CurationRepository(deps.db), segmentation.visible, deps.logger);
  return { service };
}

export type Curation = ReturnType<typeof createCuration>;
