import type { ApiRouter } from '../api/route.js';
import type { Services } from '../services.js';

export function mountAffinityRoutes(_api: ApiRouter, _services: Services): void {
  // filled in by the affinity feature
}
