/**
 * The run readers see, as this process knows it. Polled from the database (a run may succeed in a worker process or
 * another instance), and switched only once everything that serves it here is ready (`onSwitch` preparers, e.g. the
 * affinity feature's model of the run): within a process, segments, topics, affinities and audiences change runs
 * together, never one before the other.
 */
import type { Logger } from '../logger.js';
import type { RunRecord } from './repository.js';

export interface VisibleRunSource {
  visibleRunId(): Promise<string | null>;
  getRun(id: string): Promise<RunRecord | undefined>;
}

export class VisibleRun {
  private current: RunRecord | null | undefined;
  private checking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly preparers: Array<(run: RunRecord | null) => Promise<void>> = [];

  constructor(
    private readonly source: VisibleRunSource,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  /** Called with the new visible run before it becomes visible here; a throw postpones the switch to the next poll. */
  onSwitch(prepare: (run: RunRecord | null) => Promise<void>): void {
    this.preparers.push(prepare);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.checking) void this.refresh().catch(() => undefined);
    }, this.intervalMs);
    this.timer.unref();
    void this.refresh().catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The visible run (null before the first); the first call waits for the first check. */
  async get(): Promise<RunRecord | null> {
    if (this.current === undefined) await this.refresh();
    return this.current ?? null;
  }

  /** What this process serves now, without waiting (undefined until the first check). */
  peek(): RunRecord | null | undefined {
    return this.current;
  }

  /** Checks the database (after a check in progress, which may have read too early) and switches if the run changed. */
  async refresh(): Promise<void> {
    await this.checking?.catch(() => undefined);
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<void> {
    const id = await this.source.visibleRunId();
    if (this.current !== undefined && (this.current?.id ?? null) === id) return;
    const run = id === null ? null : await this.source.getRun(id);
    if (run === undefined) return; // cannot happen (runs are never deleted); keep serving what is served
    for (const prepare of this.preparers) await prepare(run);
    this.current = run;
    this.logger.info({ runId: run?.id ?? null }, 'visible segmentation run');
  }
}
