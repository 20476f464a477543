/**
 * Worker thread of run-heartbeat.ts: writes the heartbeats of the runs this process executes through a Neo4j driver
 * of its own, so that a long synchronous step of a run (Louvain, placement over millions of long-tail topics: 44 s at
 * 1M people over 2M topics) does not silence them. It beats only while the main thread has ticked within `maxBlockMs`:
 * a thread blocked longer is presumed hung, and its runs are left to recovery, STALE_MS after the last beat.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Db, type DbOptions } from '../db/neo4j.js';

export interface HeartbeatThreadData {
  db: DbOptions;
  beatMs: number;
  maxBlockMs: number;
  /** One BigInt64 slot: when the main thread last ticked (epoch ms). */
  tick: SharedArrayBuffer;
}

export type HeartbeatCommand = { beat: string; phase: string | null } | { stop: string } | { close: true };
/** What the thread reports back: that it beats, or a beat that failed (logged by the main thread). */
export type HeartbeatReport = { ready: true } | { failed: string; message: string };

const data = workerData as HeartbeatThreadData;
const port = parentPort!;
const db = new Db(data.db);
const tick = new BigInt64Array(data.tick);
const runs = new Map<string, string | null>();

const timer = setInterval(() => {
  if (Date.now() - Number(Atomics.load(tick, 0)) > data.maxBlockMs) return;
  for (const [id, phase] of runs) {
    db.write('segmentation/heartbeat-run', { id, phase }).catch((err: unknown) =>
      port.postMessage({ failed: id, message: err instanceof Error ? err.message : String(err) } satisfies HeartbeatReport),
    );
  }
}, data.beatMs);

port.on('message', (m: HeartbeatCommand) => {
  if ('beat' in m) runs.set(m.beat, m.phase);
  else if ('stop' in m) runs.delete(m.stop);
  else {
    clearInterval(timer);
    void db.close().finally(() => port.close());
  }
});
port.postMessage({ ready: true } satisfies HeartbeatReport);
