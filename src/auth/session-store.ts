import session from 'express-session';
import type { Db } from '../db/neo4j.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * express-session store in Neo4j: sessions survive restarts and are shared by every instance (the default
 * MemoryStore leaks and is per process). Expired sessions are skipped on read and deleted in small batches now and then.
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

  override get(sid: string, cb: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db.read<{ data: string }>('people/get-session', { sid }).then(
      ([row]) => cb(null, row ? (JSON.parse(row.data) as session.SessionData) : null),
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    this.sweep();
    this.db.write('people/set-session', { sid, data: JSON.stringify(sess), expiresAt: Neo4jSessionStore.expiry(sess) }).then(
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
