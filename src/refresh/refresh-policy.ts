/**
 * The refresh policy: runs start by themselves, on a cron schedule (croner) and when the interests of enough people
 * changed since the visible run started (drift). Every API process holds the policy (re-read every REFRESH_CHECK_MS)
 * and its schedule; a tick is claimed in the database by one process (claim-tick.cypher), and the run slot (a unique
 * constraint) keeps a second run from starting anywhere while one is queued or running: never two runs at once.
 */
import { Cron } from 'croner';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SegmentationRepository } from '../segmentation/repository.js';
import type { RunQueue } from '../segmentation/run-queue.js';
import type { VisibleRun } from '../segmentation/visible-run.js';
import type { PolicyTrigger, RefreshRepository, StoredPolicy } from './refresh-repository.js';

/** A failed drift run is retried after this long (the drift is still there). */
const DRIFT_RETRY_MS = 60_000;

export interface Drift {
  /** When the visible run started: interests changed since then count. */
  since: string;
  people: number;
  changed: number;
  share: number;
}

export interface PolicyView extends StoredPolicy {
  nextRunAt: string | null;
  drift: Drift | null;
}

/** Throws a 400 naming the field when the cron expression or time zone is not one croner accepts. */
export function checkSchedule(schedule: string, timezone: string | null): void {
  if (timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      throw AppError.badRequest('Invalid refresh schedule', [{ path: 'body.timezone', message: `unknown time zone: ${timezone}` }]);
    }
  }
  try {
    new Cron(schedule, { paused: true, ...(timezone ? { timezone } : {}) }).stop();
  } catch (err) {
    throw AppError.badRequest('Invalid refresh schedule', [
      { path: 'body.schedule', message: err instanceof Error ? err.message : String(err) },
    ]);
  }
}

export class RefreshPolicy {
  private policy: StoredPolicy | undefined;
  private cron: Cron | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly repo: RefreshRepository,
    private readonly runs: SegmentationRepository,
    private readonly queue: RunQueue,
    private readonly visible: VisibleRun,
    private readonly logger: Logger,
    private readonly checkMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.checkMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.cron?.stop();
    this.cron = undefined;
  }

  /** The policy with what it implies now: the next scheduled run and the drift since the visible run started. */
  async view(): Promise<PolicyView> {
    const policy = await this.repo.getPolicy();
    this.apply(policy);
    return { ...policy, nextRunAt: this.cron?.nextRun()?.toISOString() ?? null, drift: await this.drift() };
  }

  async update(p: Pick<StoredPolicy, 'schedule' | 'timezone' | 'driftThreshold' | 'run'>): Promise<PolicyView> {
    if (p.schedule) checkSchedule(p.schedule, p.timezone);
    await this.repo.setPolicy(p);
    this.logger.info({ schedule: p.schedule, driftThreshold: p.driftThreshold }, 'refresh policy changed');
    return this.view();
  }

  /** Re-reads the policy (another process may have changed it) and checks the drift. */
  private tick(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const policy = await this.repo.getPolicy();
        this.apply(policy);
        if (policy.driftThreshold !== null) await this.checkDrift(policy);
      } catch (err) {
        this.logger.warn({ err }, 'refresh policy check failed; next check in %d ms', this.checkMs);
      }
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Keeps this process's cron job in step with the stored policy. */
  private apply(policy: StoredPolicy): void {
    const same = this.policy && this.policy.version === policy.version;
    this.policy = policy;
    if (same && (this.cron !== undefined) === Boolean(policy.schedule)) return;
    this.cron?.stop();
    this.cron = undefined;
    if (!policy.schedule) return;
    try {
      this.cron = new Cron(policy.schedule, { protect: true, ...(policy.timezone ? { timezone: policy.timezone } : {}) }, () => {
        // The tick this call is for: croner calls at it, so "now" to the second names it in every process alike.
        void this.onSchedule(Math.round(Date.now() / 1000) * 1000);
      });
    } catch (err) {
      this.logger.error({ err, schedule: policy.schedule }, 'stored refresh schedule is invalid: no scheduled runs');
    }
  }

  private async onSchedule(tickMs: number): Promise<void> {
    try {
      if (!(await this.repo.claimTick(tickMs))) return;
      await this.trigger('schedule', this.policy ?? (await this.repo.getPolicy()));
    } catch (err) {
      this.logger.warn({ err }, 'scheduled segmentation run could not be queued');
    }
  }

  private async drift(): Promise<Drift | null> {
    const run = await this.visible.get();
    const since = run?.startedAt ?? run?.createdAt;
    if (!since) return null;
    const { people, changed } = await this.repo.drift(since);
    return { since, people, changed, share: people > 0 ? changed / people : 0 };
  }

  private async checkDrift(policy: StoredPolicy): Promise<void> {
    const drift = await this.drift();
    if (!drift || drift.share < policy.driftThreshold!) return;
    // A run started since the visible one (running, a candidate awaiting a decision, or failed a moment ago) answers
    // this drift already.
    const [newest] = await this.runs.listRuns(undefined, 1);
    if (newest && newest.id !== (await this.visible.get())?.id && Date.parse(newest.createdAt) >= Date.parse(drift.since)) {
      if (newest.status !== 'failed') return;
      if (Date.now() - Date.parse(newest.finishedAt ?? newest.createdAt) < DRIFT_RETRY_MS) return;
    }
    this.logger.info({ drift }, 'interests drifted past the refresh threshold: queuing a run');
    await this.trigger('drift', policy);
  }

  private async trigger(trigger: PolicyTrigger, policy: StoredPolicy): Promise<void> {
    try {
      const { id } = await this.queue.enqueue(policy.run, trigger);
      await this.repo.recordTrigger(trigger, id, null);
    } catch (err) {
      if (err instanceof AppError && err.code === 'run-in-progress') {
        // Never two runs at once: this trigger is skipped, not queued behind the active run.
        if (trigger === 'schedule') await this.repo.recordTrigger(trigger, null, err.message);
        return;
      }
      await this.repo.recordTrigger(trigger, null, err instanceof Error ? err.message : String(err)).catch(() => undefined);
      throw err;
    }
  }
}
