import type { Deps } from './deps.js';
import { Hooks } from './hooks.js';
import { ApiKeyRepository } from './auth/api-key-repository.js';
import { ApiKeyService } from './auth/api-key-service.js';
import { ChangeFeed } from './changes/change-feed.js';
import { createUsers } from './users/index.js';
import { createIngest } from './ingest/index.js';
import { createSegmentation } from './segmentation/index.js';
import { createAffinity } from './affinity/index.js';
import { createAudiences } from './audiences/index.js';
import { createRefresh } from './refresh/index.js';
import { createGraph } from './graph/index.js';
import { createCuration } from './curation/index.js';
import { createInsight } from './insight/index.js';
import { createReports } from './reports/index.js';
import { createErasure, createPrivacy } from './privacy/index.js';
import { createAudienceSegmentation } from './audience-segmentation/index.js';

export type { Deps } from './deps.js';

/** The composition root: every repository and service is built once here and shared by routes and jobs. */
export function createServices(deps: Deps) {
  const hooks = new Hooks();
  const apiKeys = new ApiKeyService(new ApiKeyRepository(deps.db));
  const feed = new ChangeFeed(deps.db, deps.logger);
  // Order matters: later features may use earlier ones (affinity reads segments, ingestion resolves users).
  // Erasure's parts first: users erase through them, ingestion refuses what they suppress.
  const erasure = createErasure(deps.db, deps.secretKey);
  const users = createUsers(deps, hooks, erasure.erasure);
  const ingest = createIngest(deps, hooks, users, erasure);
  const segmentation = createSegmentation(deps, hooks);
  const graph = createGraph(deps.db, segmentation.visible);
  const curation = createCuration(deps, segmentation);
  const privacy = createPrivacy(deps, hooks, feed, erasure);
  const hidden = (topicId: string) => privacy.sensitive.has(topicId);
  // What runs made before a topic was marked sensitive is served without it.
  segmentation.segments.hideTopics(hidden);
  const affinity = createAffinity(deps, hooks, segmentation.visible, feed, hidden, () => privacy.sensitive.epoch);
  const audiences = createAudiences(deps, hooks, affinity, segmentation, (named) => privacy.marks.refuseSensitive(named));
  const refresh = createRefresh(deps, hooks, segmentation);
  const insight = createInsight(deps, segmentation.visible, affinity, hidden);
  const reports = createReports(deps, hooks, insight);
  const audienceSegmentation = createAudienceSegmentation(segmentation, affinity, users.service, audiences.service, (named) =>
    privacy.marks.refuseSensitive(named),
  );
  // Job runners and timers listen to `shutdown` so SIGTERM stops them before the driver closes; the background jobs
  // stop first, while the population they read is still followed.
  const shutdown = async () => {
    await audiences.stop();
    await hooks.emit('shutdown', {});
  };
  /** Background work that follows the database: the visible run, the change feed, people held for reads, jobs. */
  const start = async () => {
    segmentation.visible.start();
    refresh.start();
    // Retried in the background when the database is away.
    await privacy.sensitive.reload().catch(() => undefined);
    await affinity.start();
    audiences.start();
  };
  return {
    ...deps,
    hooks,
    feed,
    shutdown,
    start,
    apiKeys,
    users: users.service,
    ingest,
    segmentation,
    graph,
    curation,
    affinity,
    audiences,
    refresh,
    insight,
    reports,
    privacy,
    audienceSegmentation,
  };
}

export type Services = ReturnType<typeof createServices>;
