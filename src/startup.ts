import type { Logger } from './logger.js';
import type { Services } from './services.js';

/**
 * What `npm start` does once the API listens: load demo data when the graph is empty and run a segmentation,
 * so a fresh machine shows something real. Features add their steps here.
 */
export async function startup(_services: Services, _logger: Logger): Promise<void> {
  // filled in by the ingestion and segmentation features
}
