import neo4j, { type Driver, type ManagedTransaction, type RecordShape } from 'neo4j-driver';
import { cypher } from './cypher.js';
import { toNative } from './native.js';

export type Row = Record<string, unknown>;

export interface DbOptions {
  uri: string;
  user: string;
  password: string;
  database?: string | undefined;
}

/** A transaction handle that only speaks named statements and plain values. */
export interface Tx {
  run<T extends Row = Row>(name: string, params?: Row): Promise<T[]>;
}

function wrapTx(tx: ManagedTransaction): Tx {
  return {
    async run<T extends Row>(name: string, params: Row = {}) {
      const res = await tx.run<RecordShape>(cypher(name), params);
      return res.records.map((r) => toNative(r.toObject()) as T);
    },
  };
}

/**
 * Thin access layer: statements are looked up by name, results come back as plain rows.
 * executeRead/executeWrite retry transient failures (leader switch, deadlocks) by themselves.
 */
export class Db {
  readonly driver: Driver;
  private readonly database: string | undefined;

  constructor(opts: DbOptions) {
    this.driver = neo4j.driver(
      opts.uri,
      // With auth disabled (the embedded default) the server accepts any basic credentials.
      neo4j.auth.basic(opts.user, opts.password),
      {
        disableLosslessIntegers: false,
        maxConnectionPoolSize: 100,
        connectionAcquisitionTimeout: 10_000,
        maxTransactionRetryTime: 10_000,
        connectionTimeout: 5_000,
      },
    );
    this.database = opts.database;
  }

  private session(mode: 'READ' | 'WRITE') {
    return this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.database ? { database: this.database } : {}),
    });
  }

  async read<T extends Row = Row>(name: string, params: Row = {}): Promise<T[]> {
    return this.readTx((tx) => tx.run<T>(name, params));
  }

  async write<T extends Row = Row>(name: string, params: Row = {}): Promise<T[]> {
    return this.writeTx((tx) => tx.run<T>(name, params));
  }

  async readTx<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    const session = this.session('READ');
    try {
      return await session.executeRead((tx) => work(wrapTx(tx)));
    } finally {
      await session.close();
    }
  }

  async writeTx<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    const session = this.session('WRITE');
    try {
      return await session.executeWrite((tx) => work(wrapTx(tx)));
    } finally {
      await session.close();
    }
  }

  /** Bulk write: `UNWIND $rows` statements, one transaction per batch. */
  async writeBatches<T>(
    name: string,
    rows: T[],
    opts: { batchSize?: number; params?: Row; onBatch?: (done: number, total: number) => void } = {},
  ): Promise<void> {
    const size = opts.batchSize ?? 5000;
    for (let i = 0; i < rows.length; i += size) {
      const batch = rows.slice(i, i + size);
      await this.write(name, { ...opts.params, rows: batch });
      opts.onBatch?.(Math.min(i + size, rows.length), rows.length);
    }
  }

  /**
   * Streams a large read without holding every record in memory, e.g. all user–topic edges for the projection.
   * The callback sees plain rows in order.
   */
  async stream(name: string, params: Row, onRow: (row: Row) => void): Promise<number> {
    const session = this.session('READ');
    let count = 0;
    try {
      const result = session.run(cypher(name), params);
      for await (const record of result) {
        onRow(toNative(record.toObject()) as Row);
        count++;
      }
      return count;
    } finally {
      await session.close();
    }
  }

  async ping(timeoutMs = 2000): Promise<boolean> {
    const session = this.session('READ');
    try {
      await Promise.race([
        session.run(cypher('ops/ping')),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs).unref()),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/** True when the error means "the database could not be reached", which the API reports as 503. */
export function isUnavailableError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  if (!e) return false;
  return (
    e.code === 'ServiceUnavailable' ||
    e.code === 'SessionExpired' ||
    e.code === 'ECONNREFUSED' ||
    e.name === 'Neo4jError' && /connect|unavailable|ECONNREFUSED|Pool is closed/i.test(e.message ?? '') ||
    /Connection acquisition timed out/i.test(e.message ?? '')
  );
}
