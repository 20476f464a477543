import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { BulkCsvPart, writeBulkHeaders } from './bulk-csv.js';
import { BulkPlanner, BulkTopics } from './bulk-plan.js';
import { ndjsonPieces, readFile, type FileScan } from './bulk-read.js';
import type { ConvertResult, ConvertTask, ConvertWorkerData } from './bulk-convert-worker.js';
import { tsxExecArgv } from '../threads.js';
import type { ImportFormat, RawItem, Rejected } from './parse.js';

/**
 * The initial bulk load's conversion (bulk-load.ts): the file's records, validated and planned into neo4j-admin's CSV
 * files by `threads` worker threads (piscina), each appending to its own part files (bulk-csv.ts). The main thread
 * only reads: NDJSON in pieces of whole lines (the threads parse them), JSON and CSV as numbered records. Records
 * are independent except the held-back ones (repeats and stitches, bulk-plan.ts), which the main thread plans at the
 * end, and topics are named by their earliest mention in the file, so any thread count and any order of the pieces
 * give the same graph.
 */

export interface ConvertOptions {
  file: string;
  format: ImportFormat;
  scan: FileScan;
  /** Where the CSV files go. */
  dir: string;
  secretKey: string;
  now: string;
  /** Worker threads (default: one a core). */
  threads?: number;
  /** Bytes of NDJSON a thread converts at a time (tests make it small to spread a small file over threads). */
  pieceBytes?: number;
  onBytes: (n: number) => void;
}

export interface ConvertOutcome {
  records: number;
  rejected: Rejected[];
  /** Some value holds a line break (neo4j-admin then needs --multiline-fields). */
  multiline: boolean;
}

/** Bytes of NDJSON a thread converts at a time (~1,800 profiles of 25 interests). */
const PIECE_BYTES = 4 << 20;
/** Records of a JSON or CSV file a thread converts at a time. */
const PIECE_RECORDS = 2_000;

export function defaultConvertThreads(): number {
  return Math.max(1, availableParallelism());
}

export async function convertFile(o: ConvertOptions): Promise<ConvertOutcome> {
  writeBulkHeaders(o.dir);
  const threads = Math.max(1, o.threads ?? defaultConvertThreads());
  const workerData: ConvertWorkerData = {
    dir: o.dir,
    now: o.now,
    secretKey: o.secretKey,
    repeatedIds: o.scan.repeatedIds,
    sharedEmails: o.scan.sharedEmails,
  };
  const pool = new Piscina({
    filename: new URL('./bulk-convert-worker.ts', import.meta.url).href,
    workerData,
    execArgv: tsxExecArgv(),
    minThreads: threads,
    maxThreads: threads,
  });
  const topics = new BulkTopics();
  const main = new BulkCsvPart(o.dir, 'main', o.now);
  const planner = new BulkPlanner({ secretKey: o.secretKey, now: o.now, topics, newId: randomUUID }, o.scan, (p) => main.person(p));
  const out: ConvertOutcome = { records: 0, rejected: [], multiline: false };
  const inFlight = new Set<Promise<void>>();

  const take = (r: ConvertResult) => {
    out.records += r.records;
    for (const x of r.rejected) out.rejected.push(x);
    planner.hold(r.held);
    for (const t of r.topics) topics.merge(t);
    out.multiline ||= r.multiline;
  };
  // Two pieces a thread in flight: the threads never wait for the reader, and memory stays a few pieces.
  const submit = async (task: ConvertTask, transferList: ArrayBuffer[] = []) => {
    const done = (pool.run(task, { transferList }) as Promise<ConvertResult>).then(take);
    inFlight.add(done);
    done.then(
      () => inFlight.delete(done),
      () => undefined,
    );
    if (inFlight.size >= threads * 2) await Promise.race(inFlight);
  };

  try {
    if (o.format === 'ndjson') {
      for await (const { bytes, firstLine } of ndjsonPieces(o.file, o.pieceBytes ?? PIECE_BYTES, o.onBytes)) {
        await submit({ bytes, firstLine }, [bytes.buffer as ArrayBuffer]);
      }
    } else {
      let items: RawItem[] = [];
      for await (const item of readFile(o.file, o.format, o.scan, o.onBytes)) {
        items.push(item);
        if (items.length >= PIECE_RECORDS) {
          await submit({ items });
          items = [];
        }
      }
      if (items.length) await submit({ items });
    }
    await Promise.all(inFlight);
  } finally {
    await pool.destroy();
  }
  planner.finish();
  for (const t of topics.rows()) main.topic(t);
  main.flush();
  out.multiline ||= main.multiline;
  return out;
}
