import type { Worker } from 'node:worker_threads';
import type { DbOptions } from '../db/neo4j.js';
import type { Logger } from '../logger.js';
import { tsWorker } from '../threads.js';
import type { HeartbeatCommand, HeartbeatReport, HeartbeatThreadData } from './heartbeat-thread.js';

/**
 * A run being executed (or cleaned up) refreshes its heartbeat this often, and at every phase change; one silent for
 * STALE_MS is treated as left by a dead process. Two writers keep it: the main thread's timer, and a worker thread
 * with a driver of its own (heartbeat-thread.ts) that goes on beating while the main thread is inside a long
 * synchronous step (measured: 7.5 s at 1M people, 44 s at 1M people over 2M long-tail topics; the timer cannot fire
 * then). A supervising parent does not wait for either: it fails a dead worker's runs the moment it dies.
 */
export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 120_000;
/** The thread stops beating for a main thread that has not ticked for this long: presumed hung, left to recovery. */
export const MAX_BLOCK_MS = 15 * 60_000;

/** The part of SegmentationRepository a heartbeat needs. */
export interface HeartbeatRepository {
  heartbeat(id: string, phase: string | null): Promise<void>;
  /** Where the thread connects (absent: the main thread's timer only). */
  readonly dbOptions?: DbOptions;
}

export interface KeepAliveOptions {
  beatMs?: number;
  maxBlockMs?: number;
}

interface BeatThread {
  worker: Worker;
  /** Resolves once the thread beats (or has failed: the main thread's timer goes on). */
  ready: Promise<void>;
  users: number;
  ticker: NodeJS.Timeout;
}

const THREAD_FILE = new URL('./heartbeat-thread.ts', import.meta.url);

/** One thread per database and timing, shared by the runs beating through it. */
const threads = new Map<string, BeatThread>();

/** Beats until `stop()` is called; `phase` is written with every beat. `ready`: the thread beats too. */
export function keepAlive(
  repo: HeartbeatRepository,
  runId: string,
  phase: () => string | null,
  log: Logger,
  opts: KeepAliveOptions = {},
): { stop: () => void; ready: Promise<void> } {
  const beatMs = opts.beatMs ?? HEARTBEAT_MS;
  const timer = setInterval(() => {
    repo.heartbeat(runId, phase()).catch((err) => log.warn({ err }, 'heartbeat failed'));
    thread?.worker.postMessage({ beat: runId, phase: phase() } satisfies HeartbeatCommand);
  }, beatMs);
  timer.unref();
  const thread = repo.dbOptions ? join(repo.dbOptions, beatMs, opts.maxBlockMs ?? MAX_BLOCK_MS, log) : undefined;
  thread?.worker.postMessage({ beat: runId, phase: phase() } satisfies HeartbeatCommand);
  return {
    stop: () => {
      clearInterval(timer);
      if (thread) leave(thread, runId);
    },
    ready: thread?.ready ?? Promise.resolve(),
  };
}

function join(db: DbOptions, beatMs: number, maxBlockMs: number, log: Logger): BeatThread {
  const key = JSON.stringify([db.uri, db.user, db.database ?? null, beatMs, maxBlockMs]);
  let thread = threads.get(key);
  if (!thread) {
    const tick = new BigInt64Array(new SharedArrayBuffer(8));
    const now = () => Atomics.store(tick, 0, BigInt(Date.now()));
    now();
    const worker = tsWorker(THREAD_FILE, {
      workerData: { db, beatMs, maxBlockMs, tick: tick.buffer as SharedArrayBuffer } satisfies HeartbeatThreadData,
    });
    worker.unref();
    const ticker = setInterval(now, Math.min(1_000, maxBlockMs / 4));
    ticker.unref();
    let started = () => {};
    const created: BeatThread = { worker, users: 0, ticker, ready: new Promise<void>((resolve) => (started = resolve)) };
    worker.on('message', (r: HeartbeatReport) => {
      if ('ready' in r) started();
      else if ('failed' in r) log.warn({ runId: r.failed, err: r.message }, 'heartbeat from the heartbeat thread failed');
    });
    // The main thread's timer still beats: a thread that failed only loses the beats during long synchronous steps.
    worker.on('error', (err) => {
      log.warn({ err }, 'heartbeat thread failed');
      if (threads.get(key) === created) threads.delete(key);
      clearInterval(ticker);
      started();
    });
    threads.set(key, (thread = created));
  }
  thread.users++;
  return thread;
}

function leave(thread: BeatThread, runId: string): void {
  thread.worker.postMessage({ stop: runId } satisfies HeartbeatCommand);
  if (--thread.users > 0) return;
  for (const [key, t] of threads) if (t === thread) threads.delete(key);
  clearInterval(thread.ticker);
  thread.worker.postMessage({ close: true } satisfies HeartbeatCommand);
}
