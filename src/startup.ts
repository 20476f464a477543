import type { Logger } from './logger.js';
import type { Services } from './services.js';
import { loadDemoData } from './segmentation/demo.js';

/**
 * What `npm start` does once the API listens: load demo data when the graph is empty and run a segmentation,
 * so a fresh machine shows something real. Features add their steps here.
 */
export async function startup(services: Services, logger: Logger): Promise<void> {
  // A run left 'running' by a process that died must not block new runs (nor look alive).
  await services.segmentation.runs.recover();
  // SEGMENTATION_ENGINE=gds: in-memory graphs of runs a dead process left (they hold database memory until dropped).
  const dropped = await services.segmentation.runs.dropLeftoverGdsGraphs().catch((err: unknown) => {
    // Only memory is at stake: the service starts anyway.
    logger.warn({ err }, 'could not drop leftover GDS graphs');
    return [];
  });
  if (dropped.length > 0) logger.info({ graphs: dropped }, 'dropped GDS graphs left by a stopped process');
  if (services.config.DEMO_DATA) await loadDemoData(services, logger);
}
