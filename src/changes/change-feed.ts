/**
 * The change feed: every process appends what it changed about people (`Change` nodes with a gapless sequence number,
 * cypher/changes/) and polls what the others changed, so an interest removed, a consent withdrawn or a person erased
 * through one API process shows in every other within a poll interval (250 ms by default), not after a cache TTL.
 * A process that falls behind the feed's retention (it was paused, or the database was away) is told to reload.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/neo4j.js';
import type { Logger } from '../logger.js';

/**
 * `interests`: interests or consent changed (the person may be new); `erased`: the person no longer exists;
 * `sensitive`: an admin marked or unmarked sensitive topics (no people: every process reloads the marks); `topics`:
 * topics, co-interest links and segment names that went with an erased person: here `userIds` holds one JSON document
 * (src/privacy/erasure.ts ErasedDerived).
 */
export type ChangeKind = 'interests' | 'erased' | 'sensitive' | 'topics';

/** Kinds that are about people: an entry without any is not worth writing. */
const PEOPLE_KINDS: ReadonlySet<ChangeKind> = new Set(['interests', 'erased']);

interface ChangeRow extends Record<string, unknown> {
  seq: number;
  kind: ChangeKind;
  userIds: string[];
  origin: string;
}

interface HeadRow extends Record<string, unknown> {
  head: number;
  epoch: string | null;
  oldest: number | null;
}

/** Why a feed resets when its position fell behind the oldest entry kept. */
const PRUNED = 'entries were pruned before this process read them';

export type FeedEvent = { kind: ChangeKind; userIds: string[] } | { kind: 'reset' };

export interface ChangeFeedOptions {
  intervalMs?: number;
  /** Entries older than this are pruned; a process that did not poll for that long reloads everything. */
  retentionMs?: number;
}

/** User ids per entry: one import batch is one entry, or a few. */
const MAX_IDS_PER_ENTRY = 5000;
const READ_LIMIT = 200;
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 5000;

export class ChangeFeed {
  /** Marks this process's own entries, which it has applied already. */
  readonly origin = randomUUID();
  private since: number | undefined;
  /** The epoch of the log this process follows (ChangeLog.epoch). */
  private epoch: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private lastPrune = 0;
  private polls = 0;
  private stopped = false;
  private readonly listeners: Array<(event: FeedEvent) => void> = [];
  private readonly intervalMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    opts: ChangeFeedOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
  }

  subscribe(listener: (event: FeedEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Starts polling from the feed's current head: what happened before is in whatever the caller loads next. Safe to
   * call again after a failure (the database was away at start): until it succeeds, each poll retries it.
   */
  async start(): Promise<void> {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }

  /** Records a change for the other processes (this one applies its own changes directly). */
  async append(kind: ChangeKind, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0 && !PEOPLE_KINDS.has(kind)) {
      await this.db.write('changes/append-change', { kind, userIds: [], origin: this.origin });
      return;
    }
    for (let i = 0; i < userIds.length; i += MAX_IDS_PER_ENTRY) {
      await this.db.write('changes/append-change', { kind, userIds: userIds.slice(i, i + MAX_IDS_PER_ENTRY), origin: this.origin });
    }
  }

  /** One poll now, and resolves when it (or the one in progress) is done: tests and readers that must be current. */
  poll(): Promise<void> {
    return this.tick();
  }

  private tick(): Promise<void> {
    this.polling ??= this.pollOnce()
      .catch((err: unknown) => this.logger.debug({ err }, 'change feed poll failed (the database is away?)'))
      .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (this.stopped) return;
    if (this.since === undefined) {
      await this.db.write('changes/create-change-log');
      this.since = await this.head(true);
      return;
    }
    // A long silence can hide pruned entries behind an empty answer: look at the head now and then.
    if (++this.polls % 40 === 0) await this.head(false);
    for (;;) {
      const since: number = this.since;
      const rows: ChangeRow[] = await this.db.read<ChangeRow>('changes/read-changes', { since, limit: READ_LIMIT });
      if (rows.length > 0 && rows[0]!.seq !== since + 1) {
        this.reset(rows[rows.length - 1]!.seq, PRUNED);
        return;
      }
      for (const row of rows) {
        if (row.origin !== this.origin) this.emit({ kind: row.kind, userIds: row.userIds });
        this.since = row.seq;
      }
      if (rows.length < READ_LIMIT) break;
    }
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await this.db.write('changes/prune-changes', { retentionMs: this.retentionMs, limit: PRUNE_BATCH });
    }
  }

  /**
   * Reads the head; at start it is the position to poll from, later a check that nothing was lost unseen: entries
   * pruned before this process read them, or a log that is not the one this process follows (the database was emptied
   * or restored from a backup while it ran: its sequence numbers started again).
   */
  private async head(initial: boolean): Promise<number> {
    let [row] = await this.db.read<HeadRow>('changes/read-change-head');
    if (!row) {
      await this.db.write('changes/create-change-log');
      [row] = await this.db.read<HeadRow>('changes/read-change-head');
    }
    const head = row?.head ?? 0;
    const epoch = row?.epoch ?? null;
    if (initial || this.since === undefined) {
      this.epoch = epoch;
      return head;
    }
    if (epoch !== this.epoch || head < this.since) {
      this.epoch = epoch;
      this.reset(head, 'the change log is not the one this process followed (the database was emptied or restored?)');
    } else if (head > this.since && row?.oldest != null && row.oldest > this.since + 1) {
      this.reset(head, PRUNED);
    }
    return head;
  }

  private reset(position: number, why: string): void {
    this.logger.warn({ since: this.since, position }, `change feed: ${why}; reloading`);
    this.since = position;
    this.emit({ kind: 'reset' });
  }

  private emit(event: FeedEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.error({ err }, 'a change feed listener failed');
      }
    }
  }
}
