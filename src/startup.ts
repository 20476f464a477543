import type { Logger } from './logger.js';
import type { Services } from './services.js';
import { loadDemoData } from './demo/load-demo.js';

/**
 * What `npm start` does once the API listens: load demo data when the graph is empty and run a segmentation,
 * so a fresh machine shows something real. Features add their steps here.
 */
export async function startup(services: Services, logger: Logger): Promise<void> {
  // Runs left by dead processes are the worker's business (it recovers them when it starts and periodically).
  if (services.config.DEMO_DATA) await loadDemoData(services, logger);
}
