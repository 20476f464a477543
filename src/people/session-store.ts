import session from 'express-session';
import type { Db } from '../db/neo4j.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * express-session store in Neo4j: sessions survive restarts and are shared by every instance (the default
 * MemoryStore leaks and is per process). Expired sessions are skipped on read and deleted in small batches now and then.
 * A signed-in session keeps its person's id as a property: erasure deletes all of them, and a session whose person is
 * gone anyway (saved by a request that raced the erasure) is destroyed when read, so its cookie signs nobody in.
 */
export class Neo4jSessionStore extends session.Store {
  private lastSweep = 0;

  constructor(private readonly db: Db) {
    super();
  }

  private static expiry(sess: session.SessionData): string {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(Date.now() + DAY_MS);
    return expires.toISOString();
  }

  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    this.db.write('people/delete-expired-sessions').catch(() => undefined);
  }

  private static userIdOf(sess: session.SessionData): string | null {
    const userId = (sess as { passport?: { user?: { userId?: unknown } } }).passport?.user?.userId;
    return typeof userId === 'string' ? userId : null;
  }

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.fetchSession(sid).then(
      (sess) => cb(null, sess),
      (err: unknown) => cb(err),
    );
  }

  private async fetchSession(sid: string): Promise<session.SessionData | null> {
    const [row] = await this.db.read<{ data: string; userId: string | null; live: boolean }>('people/get-session', { sid });
    if (!row) return null;
    const sess = JSON.parse(row.data) as session.SessionData;
    const userId = Neo4jSessionStore.userIdOf(sess);
    let live = row.live;
    if (live && userId !== null && row.userId !== userId) {
      [{ live } = { live: false }] = await this.db.write<{ live: boolean }>('people/adopt-session-user', { sid, userId });
    }
    if (live) return sess;
    await this.db.write('people/destroy-session', { sid });
    return null;
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    this.sweep();
    const params = { sid, data: JSON.stringify(sess), expiresAt: Neo4jSessionStore.expiry(sess), userId: Neo4jSessionStore.userIdOf(sess) };
    this.db.write('people/set-session', params).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override touch(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    this.db.write('people/touch-session', { sid, expiresAt: Neo4jSessionStore.expiry(sess) }).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db.write('people/destroy-session', { sid }).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }
}
