import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { generateProfiles } from '../../scripts/generate.js';

/** Demo population: 16 planted interest communities (running, cooking, gaming, ...) with 20% noise. */
export const DEMO = { users: 3000, communities: 16, topicsPerCommunity: 8, interestsPerUser: 8, noise: 0.2, seed: 2026 };

/**
 * On an empty graph: import planted demo profiles through the ingestion service (the same path as
 * POST /v1/imports/profiles) and run a first segmentation, so a fresh install shows real segments.
 */
export async function loadDemoData(services: Services, logger: Logger): Promise<void> {
  const log = logger.child({ step: 'demo-data' });
  const [row] = await services.db.read<{ users: number }>('segmentation/count-users');
  if ((row?.users ?? 0) > 0) {
    log.info({ users: row!.users }, 'demo data: the graph already has users; nothing to load');
    return;
  }
  const items = [...generateProfiles(DEMO)].map((value, i) => ({ line: i + 1, value }));
  log.info({ profiles: items.length }, 'demo data: importing planted profiles');
  let lastLogged = 0;
  const result = await services.ingest.service.importProfiles(items, (done, total) => {
    if (done - lastLogged >= 1000 || done === total) {
      lastLogged = done;
      log.info({ done, total }, 'demo data: importing');
    }
  });
  log.info({ imported: result.imported, rejected: result.rejected.length }, 'demo data: imported');

  const runs = services.segmentation.runs;
  const previous = runs.onProgress;
  runs.onProgress = (runId, p) => {
    if (p.done === undefined) log.info({ runId, phase: p.phase }, 'demo data: segmentation');
    previous?.(runId, p);
  };
  try {
    const { id } = await runs.startRun({});
    await runs.idle();
    const run = await runs.getRun(id);
    if (run.status === 'succeeded') log.info({ runId: id, segments: run.metrics?.segments }, 'demo data: segmentation done');
    else log.error({ runId: id, error: run.error }, 'demo data: segmentation failed');
  } finally {
    runs.onProgress = previous;
  }
}
