import neo4j, { type Driver, type ManagedTransaction, type RecordShape, type Session } from 'neo4j-driver';
import { cypher } from './cypher.js';
import { toNative } from './native.js';
import { Pacer } from '../pacer.js';

export type Row = Record<string, unknown>;

/**
 * How long one call into Neo4j may take. A number is milliseconds; a name picks one of the Db's configured defaults:
 * - `query`: one API request's statement or transaction (the default of read, write, readTx, writeTx);
 * - `batch`: one transaction of bulk or background work (the default of writeBatches, per batch);
 * - `stream`: a whole streamed read feeding a segmentation run or a cache warm-up (the default of stream).
 */
export type Deadline = number | 'query' | 'batch' | 'stream';

export interface CallOptions {
  deadline?: Deadline;
}

/** The defaults behind the named deadlines (NEO4J_QUERY_TIMEOUT_MS, NEO4J_BATCH_TIMEOUT_MS, NEO4J_STREAM_TIMEOUT_MS). */
export interface DbTimeouts {
  queryMs: number;
  batchMs: number;
  streamMs: number;
}

export const DEFAULT_TIMEOUTS: DbTimeouts = { queryMs: 5_000, batchMs: 120_000, streamMs: 1_800_000 };

/** Readiness must answer within 2 s whatever Neo4j does: the ping gets 1.5 s of it. */
export const PING_TIMEOUT_MS = 1_500;

/**
 * The server ends a transaction at its timeout and says so; the client waits this much longer before giving up on
 * its own, so a server that answers gets to report (and its connection stays usable), and one that is stalled
 * (SIGSTOP, a stuck disk, a lost network) cannot hold the caller.
 */
const CLIENT_GRACE_MS = 250;

export interface DbOptions {
  uri: string;
  user: string;
  password: string;
  database?: string | undefined;
  timeouts?: Partial<DbTimeouts> | undefined;
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

/** A call gave up at its deadline (client side). The API answers 503 `database-unavailable`. */
export class DatabaseTimeoutError extends Error {
  readonly code = 'DatabaseTimeout';
  constructor(what: string, ms: number) {
    super(`Neo4j did not answer ${what} within ${ms} ms`);
    this.name = 'DatabaseTimeoutError';
  }
}

/** The database is known to be away (the embedded server died and is being restarted): calls fail at once. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'ServiceUnavailable';
  constructor(reason: string) {
    super(`Neo4j is unavailable: ${reason}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Thin access layer: statements are looked up by name, results come back as plain rows.
 * executeRead/executeWrite retry transient failures (leader switch, deadlocks) by themselves.
 * Every call has a deadline (CallOptions): the same figure is the transaction's server-side timeout and, a moment
 * later, a client-side bound, so neither a slow query nor a stalled server holds a caller past it.
 */
export class Db {
  readonly driver: Driver;
  readonly timeouts: DbTimeouts;
  private readonly database: string | undefined;
  private unavailable: string | null = null;
  private pinging: Promise<boolean> | undefined;

  /** What this Db was opened with: a worker thread opens its own driver to the same database (src/ingest/import-pool.ts). */
  readonly options: DbOptions;

  constructor(opts: DbOptions) {
    this.options = { ...opts };
    this.driver = neo4j.driver(opts.uri, neo4j.auth.basic(opts.user, opts.password), {
      // Integers arrive as bigint, which toNative turns into numbers with a range check (db/native.ts).
      useBigInt: true,
      maxConnectionPoolSize: 100,
      connectionAcquisitionTimeout: 10_000,
      maxTransactionRetryTime: 10_000,
      connectionTimeout: 5_000,
    });
    this.database = opts.database;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  }

  /** Milliseconds of a deadline, named or given. */
  ms(deadline: Deadline): number {
    if (typeof deadline === 'number') return deadline;
    return deadline === 'query' ? this.timeouts.queryMs : deadline === 'batch' ? this.timeouts.batchMs : this.timeouts.streamMs;
  }

  /**
   * Marks the database as away (a reason) or back (null). While away every call fails at once with
   * DatabaseUnavailableError instead of waiting out its deadline; the embedded server's supervisor sets this.
   */
  setUnavailable(reason: string | null): void {
    this.unavailable = reason;
  }

  private session(mode: 'READ' | 'WRITE') {
    if (this.unavailable !== null) throw new DatabaseUnavailableError(this.unavailable);
    return this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.database ? { database: this.database } : {}),
    });
  }

  /**
   * Runs `work` on `session` within `ms` (plus the grace), then closes the session. A close is never awaited past
   * the deadline: on a stalled server it would wait for the stuck query as long as the stall lasts.
   */
  private async within<R>(session: Session, ms: number, what: string, work: () => Promise<R>): Promise<R> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DatabaseTimeoutError(what, ms)), ms + CLIENT_GRACE_MS);
    });
    try {
      return await Promise.race([work(), expired]);
    } finally {
      clearTimeout(timer);
      const closing = session.close().catch(() => undefined);
      const left = ms + CLIENT_GRACE_MS - (Date.now() - started);
      if (left > 0) {
        let closeTimer: NodeJS.Timeout | undefined;
        await Promise.race([closing, new Promise<void>((resolve) => (closeTimer = setTimeout(resolve, left)))]);
        clearTimeout(closeTimer);
      }
    }
  }

  async read<T extends Row = Row>(name: string, params: Row = {}, opts: CallOptions = {}): Promise<T[]> {
    return this.readTx((tx) => tx.run<T>(name, params), { deadline: opts.deadline ?? 'query' }, name);
  }

  async write<T extends Row = Row>(name: string, params: Row = {}, opts: CallOptions = {}): Promise<T[]> {
    return this.writeTx((tx) => tx.run<T>(name, params), { deadline: opts.deadline ?? 'query' }, name);
  }

  async readTx<R>(work: (tx: Tx) => Promise<R>, opts: CallOptions = {}, what = 'a read transaction'): Promise<R> {
    const ms = this.ms(opts.deadline ?? 'query');
    const session = this.session('READ');
    return this.within(session, ms, what, () => session.executeRead((tx) => work(wrapTx(tx)), { timeout: ms }));
  }

  async writeTx<R>(work: (tx: Tx) => Promise<R>, opts: CallOptions = {}, what = 'a write transaction'): Promise<R> {
    const ms = this.ms(opts.deadline ?? 'query');
    const session = this.session('WRITE');
    return this.within(session, ms, what, () => session.executeWrite((tx) => work(wrapTx(tx)), { timeout: ms }));
  }

  /** Bulk write: `UNWIND $rows` statements, one transaction per batch, each with the deadline (default `batch`). */
  async writeBatches<T>(
    name: string,
    rows: T[],
    opts: { batchSize?: number; params?: Row; onBatch?: (done: number, total: number) => void } & CallOptions = {},
  ): Promise<void> {
    const size = opts.batchSize ?? 5000;
    const deadline = opts.deadline ?? 'batch';
    for (let i = 0; i < rows.length; i += size) {
      const batch = rows.slice(i, i + size);
      await this.write(name, { ...opts.params, rows: batch }, { deadline });
      opts.onBatch?.(Math.min(i + size, rows.length), rows.length);
    }
  }

  /**
   * Streams a large read without holding every record in memory, e.g. all user–topic edges for the projection.
   * The callback sees plain rows in order. The deadline (default `stream`) covers the whole read.
   *
   * Records that arrived together would otherwise all be handled in one turn of the event loop (the iterator hands
   * buffered records over as microtasks): the stream is paced (src/pacer.ts), so an API process reloading people or
   * a run's model still answers requests in between.
   */
  async stream(name: string, params: Row, onRow: (row: Row) => void, opts: CallOptions = {}): Promise<number> {
    const ms = this.ms(opts.deadline ?? 'stream');
    const session = this.session('READ');
    return this.within(session, ms, name, async () => {
      let count = 0;
      const pacer = new Pacer();
      const result = session.run(cypher(name), params, { timeout: ms });
      for await (const record of result) {
        onRow(toNative(record.toObject()) as Row);
        count++;
        if (pacer.due) await pacer.turn();
      }
      return count;
    });
  }

  /**
   * True when Neo4j answers within `timeoutMs`. Concurrent pings share one query, so readiness probes cannot pile up
   * connections on a stalled server.
   */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
    if (this.unavailable !== null) return false;
    this.pinging ??= this.pingOnce(timeoutMs).finally(() => (this.pinging = undefined));
    return this.pinging;
  }

  private async pingOnce(timeoutMs: number): Promise<boolean> {
    try {
      const session = this.session('READ');
      await this.within(session, Math.max(1, timeoutMs - CLIENT_GRACE_MS), 'the ping', () => session.run(cypher('ops/ping')));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

/**
 * True when the error means "the database could not be reached in time", which the API reports as 503: unreachable,
 * known to be away, or past a deadline (the client's or the server's transaction timeout).
 */
export function isUnavailableError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  if (!e) return false;
  return (
    e.code === 'ServiceUnavailable' ||
    e.code === 'SessionExpired' ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'DatabaseTimeout' ||
    (typeof e.code === 'string' && e.code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) ||
    (e.name === 'Neo4jError' && /connect|unavailable|ECONNREFUSED|Pool is closed/i.test(e.message ?? '')) ||
    /Connection acquisition timed out/i.test(e.message ?? '')
  );
}

/** The deadlines of the configuration (NEO4J_*_TIMEOUT_MS), for `new Db({ ..., timeouts })`. */
export function timeoutsFrom(config: {
  NEO4J_QUERY_TIMEOUT_MS: number;
  NEO4J_BATCH_TIMEOUT_MS: number;
  NEO4J_STREAM_TIMEOUT_MS: number;
}): DbTimeouts {
  return { queryMs: config.NEO4J_QUERY_TIMEOUT_MS, batchMs: config.NEO4J_BATCH_TIMEOUT_MS, streamMs: config.NEO4J_STREAM_TIMEOUT_MS };
}
