/**
 * Delivers the outbox (a background job: one process at a time holds its lease). Per destination, one delivery at a
 * time and in order: up to WEBHOOK_BATCH_EVENTS queued events become a delivery (its id is the idempotency key of
 * every attempt), sent signed (webhook-client.ts); a 2xx removes them from the outbox, anything else (or no answer by
 * the deadline) schedules another attempt with exponential backoff and jitter, until WEBHOOK_MAX_ATTEMPTS, after which
 * the delivery is kept as failed and the destination moves on. Everything is in Neo4j, so a process that stops or dies
 * loses nothing: the next holder of the lease resumes where the database says. At least once: a receiver that took a
 * delivery but whose answer was lost gets it again, with the same `webhook-id`.
 *
 * Consent is checked again at each attempt: events of people who withdrew consent or were erased since they were
 * queued are dropped from the delivery (a retry can carry fewer events than the first attempt, never other ones).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { preferredAddress } from '../affinity/interest-store.js';
import { sleep, Wakeup, type Job } from '../jobs/job-host.js';
import type { DeliveryEvent, DestinationRepository, DueDestination } from './destination-repository.js';
import type { SecretBox } from './secret-box.js';
import type { WebhookClient } from './webhook-client.js';

export interface DeliveryOptions {
  batchEvents: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the outbox is looked at when nothing wakes the job. */
  pollMs: number;
  /** Destinations served at once. */
  concurrency: number;
  /** Successful deliveries are kept this many days in the log. */
  keepDays: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  batchEvents: 500,
  maxAttempts: 20,
  retryBaseMs: 1000,
  retryMaxMs: 3_600_000,
  pollMs: 500,
  concurrency: 4,
  keepDays: 7,
};

const PRUNE_EVERY_MS = 10 * 60_000;
const ERROR_BACKOFF_MS = 1000;

/**
 * Delay before the next attempt after `failures` failed ones: base × 2^(failures − 1), capped, with "equal jitter"
 * (half fixed, half random) so that receivers coming back from an outage are not hit by every sender at once.
 */
export function retryDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** An event as receivers get it. */
export function presentEvent(e: DeliveryEvent): Record<string, unknown> {
  const base = { id: e.id, type: e.type, at: e.at, audience: { id: e.audienceId, name: e.audienceName } };
  if (e.userId !== null) return { ...base, user: preferredAddress(e.userId, e.keys), userId: e.userId };
  return { ...base, ...(e.data ? (JSON.parse(e.data) as Record<string, unknown>) : {}) };
}

export class DeliveryJob implements Job {
  readonly name = 'webhook-delivery';
  private readonly wakeup = new Wakeup();
  private lastPrune = 0;
  private readonly log: Logger;

  constructor(
    private readonly repo: DestinationRepository,
    private readonly client: WebhookClient,
    private readonly box: SecretBox,
    logger: Logger,
    private readonly opts: DeliveryOptions,
  ) {
    this.log = logger.child({ job: this.name });
  }

  /** Events were queued: look now. */
  nudge(): void {
    this.wakeup.wake();
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let busy = false;
      try {
        const due = await this.repo.due(this.opts.concurrency * 4);
        busy = due.length > 0;
        await inParallel(due, this.opts.concurrency, (d) =>
          this.deliver(d, signal).catch((err: unknown) => this.log.warn({ err, destinationId: d.id }, 'webhook delivery attempt failed')),
        );
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          await this.repo.prune(this.opts.keepDays, 10_000);
        }
      } catch (err) {
        if (signal.aborted) break;
        this.log.warn({ err }, 'webhook delivery pass failed; trying again');
        await sleep(ERROR_BACKOFF_MS, signal);
        continue;
      }
      if (!busy) await this.wakeup.wait(this.opts.pollMs, signal);
    }
  }

  /** One attempt of the destination's current delivery (opened from its queue when it has none). */
  private async deliver(d: DueDestination, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const deliveryId = d.deliveryId ?? (await this.repo.open(d.id, `dlv_${randomUUID()}`, this.opts.batchEvents));
    if (!deliveryId) return;
    const events = await this.repo.events(deliveryId);
    const dropped = events.filter((e) => !e.deliverable).map((e) => e.id);
    await this.repo.drop(dropped);
    const send = events.filter((e) => e.deliverable);
    if (send.length === 0) {
      await this.repo.succeeded(deliveryId, { status: null, sent: 0, dropped: dropped.length, entered: 0, attempted: 0 });
      return;
    }
    const body = JSON.stringify({ id: deliveryId, destinationId: d.id, events: send.map(presentEvent) });
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.client.send(d.url, this.box.open(d.secret), deliveryId, body);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const log = this.log.child({ destinationId: d.id, deliveryId, events: send.length });
    if (error === null) {
      const entered = send.filter((e) => e.type === 'audience.entered').length;
      await this.repo.succeeded(deliveryId, { status, sent: send.length, dropped: dropped.length, entered, attempted: 1 });
      log.debug({ status }, 'webhook delivered');
      return;
    }
    const failures = (d.attempts ?? 0) + 1;
    const giveUp = failures >= this.opts.maxAttempts;
    const delayMs = retryDelay(failures, this.opts.retryBaseMs, this.opts.retryMaxMs);
    await this.repo.failed(deliveryId, { status, error: error.slice(0, 500), dropped: dropped.length, giveUp, delayMs });
    if (giveUp) log.error({ status, error, attempts: failures }, 'webhook delivery failed for good; kept as failed');
    else log.warn({ status, error, attempts: failures, retryInMs: delayMs }, 'webhook delivery failed; retrying');
  }
}

/** Runs `fn` over the items, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
