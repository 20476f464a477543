import type { Affinity } from '../affinity/index.js';
import type { Segmentation } from '../segmentation/index.js';
import type { UserService } from '../users/user-service.js';
import type { SavedAudienceService } from '../audiences/index.js';
import { AudienceSegmentationService, type RefuseSensitive } from './service.js';

/** Segment any audience (runs of kind `audience`, executed by the run worker like any run). */
export function createAudienceSegmentation(
  segmentation: Segmentation,
  affinity: Pick<Affinity, 'audiences'>,
  users: UserService,
  saved: SavedAudienceService,
  refuseSensitive: RefuseSensitive,
) {
  return new AudienceSegmentationService(
    segmentation.queue,
    segmentation.repository,
    segmentation.segments,
    affinity.audiences,
    users,
    saved,
    refuseSensitive,
  );
}
