/**
 * The topics that are sensitive now, held by each API process: what it serves from a run computed before a mark
 * (suggestions, segments' top topics) is filtered through it. Reloaded when any process changes a mark (change feed
 * `sensitive`) or the feed was missed (`reset`).
 */
import type { ChangeFeed } from '../changes/change-feed.js';
import type { Logger } from '../logger.js';
import type { SensitiveRepository } from './sensitive-repository.js';

const RETRY_MS = 2000;

export class SensitiveTopics {
  private ids: ReadonlySet<string> = new Set();
  private loading: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly repo: SensitiveRepository,
    feed: ChangeFeed,
    private readonly logger: Logger,
  ) {
    feed.subscribe((event) => {
      if (event.kind === 'sensitive' || event.kind === 'reset') void this.reload().catch(() => undefined);
    });
  }

  has(topicId: string): boolean {
    return this.ids.has(topicId);
  }

  /** A new value each time the set is read again: what was filtered through the old set may be outdated. */
  get epoch(): object {
    return this.ids;
  }

  get size(): number {
    return this.ids.size;
  }

  /** Reads the set again; a reload asked for while one runs starts once it ends (it may have missed the change). */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        this.ids = new Set(await this.repo.topicIds());
      } while (this.again);
    })()
      .catch((err: unknown) => {
        if (!this.stopped) {
          this.logger.warn({ err }, 'sensitive topics could not be read; retrying');
          this.retry ??= setTimeout(() => {
            this.retry = undefined;
            void this.reload().catch(() => undefined);
          }, RETRY_MS).unref();
        }
        throw err;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
  }
}
