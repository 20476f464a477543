import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseTimeoutError, DatabaseUnavailableError, Db, isUnavailableError } from './neo4j.js';

// A server that accepts connections and never says a word: what a SIGSTOP'd Neo4j looks like from the client.
let silent: Server;
const sockets: Socket[] = [];
let uri: string;

beforeAll(async () => {
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  uri = `bolt://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

async function elapsed<T>(work: Promise<T>): Promise<{ ms: number; result: T | undefined; error: unknown }> {
  const started = performance.now();
  try {
    const result = await work;
    return { ms: performance.now() - started, result, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, result: undefined, error };
  }
}

describe('Db deadlines against a server that never answers', () => {
  it('gives up on reads, writes, transactions and streams at their deadline, as unavailable', async () => {
    const db = new Db({ uri, user: 'neo4j', password: 'x', timeouts: { queryMs: 300, batchMs: 400, streamMs: 500 } });
    try {
      const calls: Array<{ work: Promise<unknown>; limit: number }> = [
        { work: db.read('ops/ping'), limit: 300 },
        { work: db.write('ops/ping', {}, { deadline: 200 }), limit: 200 },
        { work: db.readTx((tx) => tx.run('ops/ping'), { deadline: 'batch' }), limit: 400 },
        { work: db.writeBatches('ops/ping', [1, 2]), limit: 400 },
        { work: db.stream('ops/ping', {}, () => undefined), limit: 500 },
      ];
      const outcomes = await Promise.all(calls.map((c) => elapsed(c.work)));
      outcomes.forEach((o, i) => {
        expect(o.error, `call ${i}`).toBeInstanceOf(DatabaseTimeoutError);
        expect(isUnavailableError(o.error)).toBe(true);
        expect(o.ms, `call ${i}`).toBeGreaterThanOrEqual(calls[i]!.limit - 5);
        expect(o.ms, `call ${i}`).toBeLessThan(calls[i]!.limit + 1_000);
      });
    } finally {
      void db.close();
    }
  });

  it('answers a ping within its time, sharing one query among concurrent pings', async () => {
    const db = new Db({ uri, user: 'neo4j', password: 'x' });
    try {
      const pings = await Promise.all([elapsed(db.ping(400)), elapsed(db.ping(400)), elapsed(db.ping(400))]);
      for (const p of pings) {
        expect(p.result).toBe(false);
        expect(p.ms).toBeLessThan(1_000);
      }
    } finally {
      void db.close();
    }
  });

  it('fails at once while the database is marked away, and waits again once it is back', async () => {
    const db = new Db({ uri, user: 'neo4j', password: 'x', timeouts: { queryMs: 300 } });
    try {
      db.setUnavailable('restarting');
      const away = await elapsed(db.read('ops/ping'));
      expect(away.error).toBeInstanceOf(DatabaseUnavailableError);
      expect(isUnavailableError(away.error)).toBe(true);
      expect(away.ms).toBeLessThan(50);
      expect(await db.ping()).toBe(false);
      db.setUnavailable(null);
      expect((await elapsed(db.read('ops/ping'))).error).toBeInstanceOf(DatabaseTimeoutError);
    } finally {
      void db.close();
    }
  });
});
