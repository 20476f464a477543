/**
 * The run readers see, as this process knows it. Polled from the database (a run may succeed in a worker process or
 * another instance), and switched only once everything that serves it here is ready (`onSwitch` preparers, e.g. the
 * affinity feature's model of the run): within a process, segments, topics, affinities and audiences change runs
 * together, never one before the other.
 */
import type { Logger } from '../logger.js';
import type { RunRecord } from './repository.js';

export interface VisibleRunSource {
  visibleRun(): Promise<{ id: string; curationSeq: number } | null>;
  getRun(id: string): Promise<RunRecord | undefined>;
}

/**
 * A visible run as served: marketers' curation (src/curation/) changes what its segments show without a new run, so a
 * change of `curationSeq` switches as a new run does (everything serving it reloads).
 */
export type ServedRunRecord = RunRecord & { curationSeq: number };

export class VisibleRun {
  private current: ServedRunRecord | null | undefined;
  private checking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly preparers: Array<(run: ServedRunRecord | null) => Promise<void>> = [];

  constructor(
    private readonly source: VisibleRunSource,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  /** Called with the new visible run before it becomes visible here; a throw postpones the switch to the next poll. */
  onSwitch(prepare: (run: ServedRunRecord | null) => Promise<void>): void {
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
  async get(): Promise<ServedRunRecord | null> {
    if (this.current === undefined) await this.refresh();
    return this.current ?? null;
  }

  /** What this process serves now, without waiting (undefined until the first check). */
  peek(): ServedRunRecord | null | undefined {
    return this.current;
  }

  /** Checks the database (after a check in progress, which may have read too early) and switches if the run changed. */
  async refresh(): Promise<void> {
    await this.checking?.catch(() => undefined);
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<void> {
    const visible = await this.source.visibleRun();
    const current = this.current;
    if (current !== undefined && current?.id === visible?.id && current?.curationSeq === visible?.curationSeq) return;
    if (current === null && visible === null) return;
    const record = !visible ? null : current?.id === visible.id ? current : await this.source.getRun(visible.id);
    if (record === undefined) return; // cannot happen (runs are never deleted); keep serving what is served
    const run = record && visible ? { ...record, curationSeq: visible.curationSeq } : null;
    for (const prepare of this.preparers) await prepare(run);
    this.current = run;
    this.logger.info({ runId: run?.id ?? null, curationSeq: run?.curationSeq ?? null }, 'visible segmentation run');
  }
}
