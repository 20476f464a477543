import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { generateProfiles } from './planted.js';

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

  // The run is queued like any other and executed by the worker; with WORKER=embedded it is this process's child, so
  // the banner waits for the segments. An external worker may not be up yet: then the run just stays queued for it.
  const { queue } = services.segmentation;
  const { id } = await queue.enqueue({});
  if (services.config.WORKER === 'external') {
    log.info({ runId: id }, 'demo data: segmentation queued for the run worker (npm run worker)');
    return;
  }
  let phase: string | undefined;
  const warnAt = Date.now() + 60_000;
  for (;;) {
    const run = await queue.getRun(id);
    if (run.status === 'succeeded') {
      log.info({ runId: id, segments: run.metrics?.segments }, 'demo data: segmentation done');
      return;
    }
    if (run.status === 'failed') {
      log.error({ runId: id, error: run.error }, 'demo data: segmentation failed');
      return;
    }
    const now = run.phase ?? run.status;
    if (now !== phase) log.info({ runId: id, phase: (phase = now) }, 'demo data: segmentation');
    if (run.status === 'queued' && Date.now() > warnAt) {
      log.warn({ runId: id }, 'demo data: no run worker has claimed the segmentation yet (see the worker process errors above)');
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
