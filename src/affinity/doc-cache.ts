/**
 * In-process copy of the precomputed segment-of-one documents, keyed by the address callers use (identity key or
 * user id), so the content systems' hot path does not wait for the database.
 *
 * Freshness: every change in this process invalidates the user's entries before and after it is written
 * (interestsChanged, erasure) or everything (runCompleted). A read or warm-up that started before an invalidation of
 * the same user may not store what it read (it could be the old document): each entry is stamped with a logical
 * clock. Changes made by another process are picked up when entries expire (ttlMs).
 *
 * The service keeps documents as Buffers: their bytes live outside the V8 heap, so a cache of every user does not
 * lengthen garbage collection, and a hit is written to the socket without re-encoding.
 */
export class DocCache<D = string> {
  private readonly entries = new Map<string, { userId: string; doc: D; expires: number }>();
  private readonly refsByUser = new Map<string, Set<string>>();
  private readonly invalidatedAt = new Map<string, number>();
  private clock = 0;
  private clearedAt = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** Take before reading from the database; pass to set() with what was read. */
  stamp(): number {
    return ++this.clock;
  }

  get(ref: string): { userId: string; doc: D } | undefined {
    const hit = this.entries.get(ref);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(ref);
      return undefined;
    }
    return hit;
  }

  set(stamp: number, ref: string, userId: string, doc: D, now = Date.now()): void {
    if (stamp < this.clearedAt || stamp < (this.invalidatedAt.get(userId) ?? 0)) return;
    if (this.entries.size >= this.maxEntries) this.clear();
    // Jitter spreads the expiry of a warm-up over time, so entries are not all re-read at once.
    this.entries.set(ref, { userId, doc, expires: now + this.ttlMs * (0.75 + Math.random() * 0.5) });
    let refs = this.refsByUser.get(userId);
    if (!refs) this.refsByUser.set(userId, (refs = new Set()));
    refs.add(ref);
  }

  invalidate(userIds: Iterable<string>): void {
    const now = ++this.clock;
    for (const id of userIds) {
      for (const ref of this.refsByUser.get(id) ?? []) this.entries.delete(ref);
      this.refsByUser.delete(id);
      this.invalidatedAt.set(id, now);
    }
    // The stamps only matter while reads started before them are in flight; a full clear bounds the map.
    if (this.invalidatedAt.size > 100_000) this.clear();
  }

  clear(): void {
    this.clearedAt = ++this.clock;
    this.entries.clear();
    this.refsByUser.clear();
    this.invalidatedAt.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
