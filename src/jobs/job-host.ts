/**
 * Background jobs of the service (audience re-evaluation, webhook deliveries) and the lease that lets exactly one
 * process run each of them at a time, however many API or worker processes host them: `(:JobLease {name, owner,
 * expiresAt})` in Neo4j, taken when free or expired, renewed every third of its length, given back on a clean stop.
 * A process that dies (or stalls) stops renewing; another takes the job over once the lease has expired.
 *
 * A job is anything with `run(signal)`: it works while its process holds the lease and returns soon after `signal`
 * aborts (lease lost, or the host stopping). Hosts: the API process today (services.ts), the worker process later.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/neo4j.js';
import type { Logger } from '../logger.js';

export interface Job {
  /** The lease's name: one holder per name across every process. */
  readonly name: string;
  /** Works until `signal` aborts; a throw is logged and the job is started again after a pause. */
  run(signal: AbortSignal): Promise<void>;
}

export interface JobHostOptions {
  /** How long a lease lasts without renewal: how soon another process takes over a dead one's job. */
  leaseMs: number;
  /** Identifies this process in leases (default: a random id). */
  owner?: string;
}

/** Pause before trying a job again after it threw. */
const RESTART_MS = 2_000;
/**
 * stop() waits this long for the jobs to return: a job in the middle of a long database call (a stalled server holds
 * it until the call's deadline) must not hold a shutdown; what it was doing is redone by the next holder anyway.
 */
const STOP_WAIT_MS = 10_000;

export class JobHost {
  readonly owner: string;
  private readonly jobs: Job[] = [];
  private readonly stopper = new AbortController();
  private loops: Array<Promise<void>> = [];
  private readonly held = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly opts: JobHostOptions,
  ) {
    this.owner = opts.owner ?? `jobs-${randomUUID()}`;
  }

  add(job: Job): this {
    this.jobs.push(job);
    return this;
  }

  /** True while this process holds the job's lease (tests and /metrics-like reporting). */
  holds(name: string): boolean {
    return this.held.has(name);
  }

  start(): void {
    if (this.loops.length > 0 || this.stopper.signal.aborted) return;
    this.loops = this.jobs.map((job) => this.keep(job));
  }

  /** Stops every job, waits (up to STOP_WAIT_MS) for them to return and give their leases back. */
  async stop(): Promise<void> {
    this.stopper.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.loops), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Tries for the lease until stopped; runs the job whenever it holds it. */
  private async keep(job: Job): Promise<void> {
    const stop = this.stopper.signal;
    const log = this.logger.child({ job: job.name });
    while (!stop.aborted) {
      let acquired = false;
      try {
        acquired = await this.acquire(job.name);
      } catch (err) {
        log.debug({ err }, 'could not ask for the job lease (database away?)');
      }
      if (!acquired) {
        await sleep(this.opts.leaseMs / 3, stop);
        continue;
      }
      this.held.add(job.name);
      log.info({ owner: this.owner }, 'job lease acquired: running here');
      const lost = new AbortController();
      const onStop = () => lost.abort();
      stop.addEventListener('abort', onStop, { once: true });
      const renewal = this.renew(job.name, lost, log);
      let failed = false;
      try {
        await job.run(lost.signal);
      } catch (err) {
        failed = !lost.signal.aborted;
        if (failed) log.error({ err }, 'job failed; starting it again shortly');
      } finally {
        lost.abort();
        stop.removeEventListener('abort', onStop);
        await renewal;
        this.held.delete(job.name);
        await this.db.write('jobs/release-lease', { name: job.name, owner: this.owner }).catch(() => undefined);
      }
      if (failed) await sleep(RESTART_MS, stop);
    }
  }

  /** Renews every third of the lease; aborts `lost` when the lease is gone or could not be renewed in time. */
  private async renew(name: string, lost: AbortController, log: Logger): Promise<void> {
    let renewedAt = Date.now();
    while (!lost.signal.aborted) {
      await sleep(this.opts.leaseMs / 3, lost.signal);
      if (lost.signal.aborted) return;
      try {
        if (!(await this.acquire(name))) {
          log.warn('job lease taken over by another process: stopping here');
          lost.abort();
          return;
        }
        renewedAt = Date.now();
      } catch (err) {
        // Past the lease another process may have taken over: stop rather than run twice.
        if (Date.now() - renewedAt >= this.opts.leaseMs * 0.9) {
          log.warn({ err }, 'job lease could not be renewed in time: stopping here');
          lost.abort();
          return;
        }
      }
    }
  }

  private async acquire(name: string): Promise<boolean> {
    const rows = await this.db.write<{ owner: string }>('jobs/acquire-lease', { name, owner: this.owner, ms: this.opts.leaseMs });
    return rows[0]?.owner === this.owner;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A wake-up call for a job loop: `wait(ms)` sleeps until `ms` pass, `wake()` is called, or the signal aborts. */
export class Wakeup {
  private pending = false;
  private waiter: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.waiter?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return;
    }
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.waiter = () => inner.abort();
    try {
      await sleep(ms, inner.signal);
    } finally {
      this.waiter = undefined;
      signal.removeEventListener('abort', onAbort);
      this.pending = false;
    }
  }
}
