/**
 * Keeps the InterestStore current. At start it streams everyone from the database in the background; meanwhile and
 * afterwards, a person is read from the database when they are not held yet or have changed since they were loaded
 * ("stale"). Changes arrive from this process (the hooks) and from every other one (the change feed): a changed person
 * is marked stale at once, so the next read of them goes to the database, and a background refresher reloads stale
 * people in batches. Erased people are dropped at once and never loaded again by a read that raced the erasure.
 */
import { setImmediate as pause } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import type { ChangeFeed, FeedEvent } from '../changes/change-feed.js';
import { InterestStore, type PersonRecord } from './interest-store.js';
import { PEOPLE_BATCH, type AffinityRepository } from './affinity-repository.js';

const RETRY_MS = 1000;

export class PopulationSync {
  readonly store = new InterestStore();
  /** Changed people → the generation of their latest change; a reload clears them only if none came after it. */
  private readonly stale = new Map<string, number>();
  private generation = 0;
  /** Erased people: a read that started before the erasure must not bring them back. */
  private readonly erased = new LRUCache<string, true>({ max: 100_000 });
  private readonly listeners: Array<(slot: number) => void> = [];
  private readonly peopleListeners: Array<(userIds: readonly string[], kind: 'changed' | 'erased') => void> = [];
  private readonly beforeListeners: Array<(slot: number) => void> = [];
  private warming: Promise<void> | undefined;
  private warmed = false;
  /** People changed since the warm-up began: what it streams of them may be older than what was loaded since. */
  private changedDuringWarm = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly lookups = new Map<string, Promise<number | undefined>>();
  private stopped = false;

  constructor(
    private readonly repo: AffinityRepository,
    private readonly feed: ChangeFeed,
    private readonly logger: Logger,
  ) {
    feed.subscribe((event) => this.onFeed(event));
  }

  /** `fn(slot)` after every change of a slot (loaded, changed, dropped). */
  onChange(fn: (slot: number) => void): void {
    this.listeners.push(fn);
  }

  /**
   * `fn(userIds, kind)` as soon as people are known to have changed or been erased, in this process or any other
   * (before they are reloaded: `settled()` waits for that). Saved audiences re-evaluate these people.
   */
  onPeople(fn: (userIds: readonly string[], kind: 'changed' | 'erased') => void): void {
    this.peopleListeners.push(fn);
  }

  /**
   * `fn(slot)` just before a held slot is replaced or dropped, while what it held is still readable: running totals
   * (insight's population counts) take the old contribution out here and put the new one in at `onChange`.
   */
  onBeforeChange(fn: (slot: number) => void): void {
    this.beforeListeners.push(fn);
  }

  /** Starts following the feed, then loads everyone in the background. */
  async start(): Promise<void> {
    await this.feed.start().catch((err: unknown) => this.logger.warn({ err }, 'change feed not started yet (retried at each poll)'));
    void this.warm().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.feed.stop();
    await Promise.allSettled([this.warming, this.refreshing]);
  }

  get isWarm(): boolean {
    return this.warmed;
  }

  /** Loads everyone (joins a load in progress). */
  warm(): Promise<void> {
    this.warming ??= this.streamEveryone().finally(() => (this.warming = undefined));
    return this.warming;
  }

  private async streamEveryone(): Promise<void> {
    const started = Date.now();
    this.changedDuringWarm = new Set();
    try {
      const n = await this.repo.streamPeople((row) => {
        // Loaded since the warm-up began because they changed: that copy is newer than this row.
        if (this.changedDuringWarm.has(row.userId) && this.store.slotOf(row.userId) !== undefined) return;
        this.put(row);
      });
      this.warmed = true;
      this.logger.info({ people: n, held: this.store.size, ms: Date.now() - started }, 'people loaded for segments of one and audiences');
    } catch (err) {
      if (!this.stopped) this.logger.warn({ err }, 'loading people failed; reads go to the database until a retry succeeds');
      if (!this.stopped) setTimeout(() => void this.warm().catch(() => undefined), RETRY_MS * 5).unref();
      throw err;
    } finally {
      this.changedDuringWarm.clear();
    }
  }

  // ---- changes -------------------------------------------------------------------------------------------------

  /** These people changed (interests, consent, or they are new): reads go to the database until they are reloaded. */
  markStale(userIds: readonly string[]): void {
    const gen = ++this.generation;
    for (const id of userIds) {
      this.stale.set(id, gen);
      if (this.warming) this.changedDuringWarm.add(id);
    }
    this.scheduleRefresh();
    for (const l of this.peopleListeners) l(userIds, 'changed');
  }

  /** These people were erased: forgotten now, and never loaded again. */
  erase(userIds: readonly string[]): void {
    for (const id of userIds) {
      this.erased.set(id, true);
      this.stale.delete(id);
      this.remove(id);
    }
    for (const l of this.peopleListeners) l(userIds, 'erased');
  }

  isStale(userId: string): boolean {
    return this.stale.has(userId);
  }

  private onFeed(event: FeedEvent): void {
    if (event.kind === 'erased') this.erase(event.userIds);
    else if (event.kind === 'interests') this.markStale(event.userIds);
    else if (event.kind === 'reset') {
      // Entries were missed: everyone held may be outdated, and people may be missing.
      const everyone: string[] = [];
      for (let slot = 0; slot < this.store.slotCount; slot++) {
        const id = this.store.userId(slot);
        if (id !== undefined) everyone.push(id);
      }
      this.markStale(everyone);
      void this.warm().catch(() => undefined);
    }
  }

  private put(row: PersonRecord): void {
    if (this.erased.has(row.userId)) return;
    const held = this.store.slotOf(row.userId);
    if (held !== undefined) for (const l of this.beforeListeners) l(held);
    const slot = this.store.upsert(row);
    for (const l of this.listeners) l(slot);
  }

  private remove(userId: string): void {
    const slot = this.store.slotOf(userId);
    if (slot === undefined) return;
    for (const l of this.beforeListeners) l(slot);
    if (this.store.delete(userId)) for (const l of this.listeners) l(slot);
  }

  /**
   * Applies rows read from the database after generation `since`: changes marked up to then are in them, so those
   * people are no longer stale. `asked` people without a row are gone from the database.
   */
  private applyReload(rows: readonly PersonRecord[], since: number, asked: Iterable<string> = []): void {
    const found = new Set<string>();
    for (const row of rows) {
      found.add(row.userId);
      this.put(row);
    }
    this.settleReload(found, since, asked);
  }

  /** After a reload's rows (`found`) were put: `asked` people without a row are gone; all of them are settled. */
  private settleReload(found: ReadonlySet<string>, since: number, asked: Iterable<string>): void {
    for (const id of asked) if (!found.has(id)) this.remove(id);
    for (const id of found) this.settle(id, since);
    for (const id of asked) this.settle(id, since);
  }

  private settle(userId: string, since: number): void {
    if ((this.stale.get(userId) ?? Infinity) <= since) this.stale.delete(userId);
  }

  private scheduleRefresh(): void {
    if (this.refreshing || this.stopped || this.retry) return;
    this.refreshing = this.refreshStale()
      .catch((err: unknown) => {
        this.logger.debug({ err }, 'reloading changed people failed; retrying');
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.scheduleRefresh();
        }, RETRY_MS);
        this.retry.unref();
        throw err;
      })
      .finally(() => (this.refreshing = undefined));
    this.refreshing.catch(() => undefined);
  }

  private async refreshStale(): Promise<void> {
    while (this.stale.size > 0 && !this.stopped) {
      const asked: string[] = [];
      for (const id of this.stale.keys()) {
        asked.push(id);
        if (asked.length === PEOPLE_BATCH) break;
      }
      const since = this.generation;
      // Rows are put as they arrive: a batch of a thousand people (25k interests) is never one block of the loop.
      const found = new Set<string>();
      await this.repo.eachResolvedPerson(asked, (row) => {
        found.add(row.userId);
        this.put(row);
      });
      this.settleReload(found, since, asked);
      await pause();
    }
  }

  /**
   * Resolves once everyone is loaded and everyone who had changed when it was called has been reloaded: audiences
   * reflect every change that returned before they were asked for.
   */
  async settled(): Promise<void> {
    if (!this.warmed) await this.warm();
    const pending = new Map(this.stale);
    const outstanding = () => [...pending].some(([id, gen]) => (this.stale.get(id) ?? Infinity) <= gen);
    while (outstanding()) {
      this.scheduleRefresh();
      if (this.refreshing) await this.refreshing;
      else throw AppError.unavailable('People who changed could not be reloaded from the database yet');
    }
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** The slot of each address that exists, fresh: from memory when held and unchanged, else from the database. */
  async lookup(refs: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const ref of refs) {
      const slot = this.held(ref);
      if (slot === undefined) missing.push(ref);
      else out.set(ref, slot);
    }
    if (missing.length === 1) {
      const slot = await this.lookupOne(missing[0]!);
      if (slot !== undefined) out.set(missing[0]!, slot);
    } else if (missing.length > 1) {
      for (const [ref, slot] of await this.fetch(missing)) out.set(ref, slot);
    }
    return out;
  }

  /** A held, unchanged person's slot, without waiting: undefined when only the database can say (lookup asks it). */
  held(ref: string): number | undefined {
    const slot = this.store.resolve(ref);
    return slot !== undefined && !this.stale.has(this.store.userId(slot)!) ? slot : undefined;
  }

  /** Concurrent reads of one address share one database read. */
  private lookupOne(ref: string): Promise<number | undefined> {
    let p = this.lookups.get(ref);
    if (!p) {
      p = this.fetch([ref])
        .then((m) => m.get(ref))
        .finally(() => this.lookups.delete(ref));
      this.lookups.set(ref, p);
    }
    return p;
  }

  private async fetch(refs: readonly string[]): Promise<Map<string, number>> {
    const since = this.generation;
    const rows = await this.repo.resolvePeople(refs);
    const found = new Set(rows.map((r) => r.ref));
    // Unknown to the database: whoever this process still holds under the address is gone.
    const gone: string[] = [];
    for (const ref of refs) {
      const slot = found.has(ref) ? undefined : this.store.resolve(ref);
      const id = slot === undefined ? undefined : this.store.userId(slot);
      if (id !== undefined) gone.push(id);
    }
    this.applyReload(rows, since, gone);
    const out = new Map<string, number>();
    for (const row of rows) {
      const slot = this.erased.has(row.userId) ? undefined : this.store.slotOf(row.userId);
      if (slot !== undefined) out.set(row.ref, slot);
    }
    return out;
  }
}
