import type { Deps } from '../deps.js';
import type { Hooks } from '../hooks.js';
import type { Affinity } from '../affinity/index.js';
import type { Segmentation } from '../segmentation/index.js';
import { JobHost } from '../jobs/job-host.js';
import { AudienceRepository } from './audience-repository.js';
import { SavedAudienceService } from './audience-service.js';
import { DeliveryJob } from './delivery-job.js';
import { DestinationRepository } from './destination-repository.js';
import { AudienceEvaluator } from './evaluator.js';
import { SecretBox } from './secret-box.js';
import { WebhookClient } from './webhook-client.js';

export type { SavedAudienceService } from './audience-service.js';

/**
 * Saved audiences, their destinations and outcome (docs/audiences.md). The API serves definitions, members, history,
 * exports and reports from Neo4j; two background jobs keep them moving: the evaluator (memberships, from the
 * population in memory) and the delivery job (the outbox). Both run under a lease in whichever process hosts them
 * (`jobs.start()`; BACKGROUND_JOBS=false leaves them to other processes).
 */
export function createAudiences(
  deps: Deps,
  hooks: Hooks,
  affinity: Affinity,
  segmentation: Segmentation,
  /** Refuses rules naming sensitive topics (400 `sensitive-topic`), as POST /v1/audiences/query does. */
  refuseSensitive?: (named: Array<{ path: string; topic: string }>) => Promise<void>,
) {
  const { config } = deps;
  const repo = new AudienceRepository(deps.db);
  const destinations = new DestinationRepository(deps.db);
  const box = new SecretBox(deps.secretKey);
  const client = new WebhookClient({ timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS });
  const delivery = new DeliveryJob(destinations, client, box, deps.logger, {
    batchEvents: config.WEBHOOK_BATCH_EVENTS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
    pollMs: 500,
    concurrency: 4,
    keepDays: 7,
  });
  const evaluator = new AudienceEvaluator({
    audiences: repo,
    destinations,
    sync: affinity.sync,
    run: affinity.served,
    getRun: (id) => segmentation.repository.getRun(id),
    secretKey: deps.secretKey,
    logger: deps.logger,
    onQueued: () => delivery.nudge(),
  });
  // A new visible run: re-evaluate now rather than at the next poll (after the switch: the preparers run before it).
  segmentation.visible.onSwitch(async () => void setImmediate(() => evaluator.nudge()));
  const jobs = new JobHost(deps.db, deps.logger, { leaseMs: config.JOB_LEASE_MS }).add(evaluator).add(delivery);
  // Erased people leave audiences, history and outbox at once, wherever the jobs run.
  hooks.on('usersErased', ({ userIds }) => repo.eraseMembers(userIds));
  const service = new SavedAudienceService(
    repo,
    destinations,
    box,
    () => affinity.served.current,
    () => evaluator.nudge(),
    refuseSensitive,
  );

  return {
    service,
    /** For benchmarks and operators' scripts that drive the jobs by hand. */
    repositories: { audiences: repo, destinations },
    evaluator,
    delivery,
    jobs,
    /** Competes for the jobs' leases (BACKGROUND_JOBS) and runs them while it holds them. */
    start() {
      if (config.BACKGROUND_JOBS) jobs.start();
    },
    async stop() {
      await jobs.stop();
      client.close();
    },
  };
}

export type Audiences = ReturnType<typeof createAudiences>;
