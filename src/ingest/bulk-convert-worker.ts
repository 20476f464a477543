/**
 * Worker thread of src/ingest/bulk-convert.ts: turns pieces of an import file into neo4j-admin CSV rows (validate →
 * plan → CSV), appended to this thread's own part files. Records that may be repeats or stitches are handed back
 * for the main thread to plan once all are known; so are the topics this thread saw first or earlier than before.
 */
import { randomUUID } from 'node:crypto';
import { threadId, workerData } from 'node:worker_threads';
import { BulkCsvPart } from './bulk-csv.js';
import { BulkPlanner, BulkTopics, type PlacedRecord, type TopicEntry } from './bulk-plan.js';
import { eachNdjsonItem } from './bulk-read.js';
import { stringField, validateItems, type RawItem, type Rejected } from './parse.js';
import { ProfileRecord } from './schemas.js';

export interface ConvertWorkerData {
  dir: string;
  /** The load's time (ISO). */
  now: string;
  secretKey: string;
  repeatedIds: ReadonlySet<string>;
  sharedEmails: ReadonlySet<string>;
}

/** Whole NDJSON lines (the first being `firstLine`), or records another format's reader already numbered. */
export type ConvertTask = { bytes: Uint8Array; firstLine: number } | { items: RawItem[] };

export interface ConvertResult {
  records: number;
  rejected: Rejected[];
  held: PlacedRecord[];
  topics: TopicEntry[];
  multiline: boolean;
}

const data = workerData as ConvertWorkerData;
const topics = new BulkTopics().trackChanges();
const part = new BulkCsvPart(data.dir, `t${threadId}`, data.now);
const externalIdOf = (v: unknown) => stringField(v, 'externalId');
const planner = new BulkPlanner({ secretKey: data.secretKey, now: data.now, topics, newId: randomUUID }, data, (p) => part.person(p));

export default function convert(task: ConvertTask): ConvertResult {
  const out: ConvertResult = { records: 0, rejected: [], held: [], topics: [], multiline: false };
  // One record at a time from text to CSV rows: only the rows outlive it, which keeps garbage collection cheap.
  const each = (item: RawItem) => {
    const { valid, rejected } = validateItems(ProfileRecord, [item], externalIdOf);
    if (rejected.length) out.rejected.push(rejected[0]!);
    else {
      out.records++;
      planner.add(valid[0]!);
    }
  };
  if ('bytes' in task) eachNdjsonItem(task.bytes, task.firstLine, each);
  else for (const item of task.items) each(item);
  part.flush();
  out.held = planner.takeHeld();
  out.topics = topics.takeChanges();
  out.multiline = part.multiline;
  return out;
}
