/**
 * Worker thread of src/ingest/import-pool.ts: decodes, parses and validates import and event bodies and writes them
 * to Neo4j through its own driver, so none of that CPU work (JSON, zod, building UNWIND rows, the driver's encoding
 * of a 25k-edge batch) runs on the request loop. The `interestsChanged` hook is left to the request loop: the
 * features listening to it live there.
 */
import { isUtf8 } from 'node:buffer';
import { workerData } from 'node:worker_threads';
import { invalidUtf8Body, invalidUtf8Lines } from '../api/text.js';
import { parseOr400 } from '../api/http.js';
import { Db, type DbOptions } from '../db/neo4j.js';
import { AppError } from '../errors.js';
import { UserRepository } from '../users/user-repository.js';
import { UserService } from '../users/user-service.js';
import { Hooks } from '../hooks.js';
import { IngestRepository } from './ingest-repository.js';
import { createErasure } from '../privacy/index.js';
import { IngestService, type EventsResult, type ImportResult, type IngestOptions } from './ingest-service.js';
import { parseImportBody } from './parse.js';
import { EventsBody } from './schemas.js';

export interface ImportWorkerData {
  db: DbOptions;
  secretKey: string;
  ingest: IngestOptions;
}

export type ImportTask =
  { op: 'profiles'; bytes: Uint8Array; kind: 'json' | 'ndjson'; charset: string } | { op: 'events'; bytes: Uint8Array; charset: string };

/** Errors cross the thread boundary as plain data: an AppError keeps its status, anything else its name and code. */
export type ImportFailure = { status?: number; code?: string; name?: string; message: string; errors?: AppError['errors'] };

export type ImportOutcome = { ok: (ImportResult | EventsResult) & { userIds: string[] } } | { fail: ImportFailure };

const data = workerData as ImportWorkerData;
const db = new Db(data.db);
// Nobody listens here: the request loop emits interestsChanged with the user ids this worker returns.
const hooks = new Hooks();
const userRepo = new UserRepository(db);
const privacy = createErasure(db, data.secretKey);
const users = new UserService(userRepo, hooks, privacy.erasure);
const service = new IngestService(new IngestRepository(db, userRepo), users, hooks, data.secretKey, data.ingest, privacy);

function decode(bytes: Uint8Array, charset: string): string {
  return new TextDecoder(charset).decode(bytes);
}

const isUtf8Charset = (charset: string) => /^utf-?8$/i.test(charset);

/**
 * As express.json (which parsed this body on the request loop before): an empty body is `{}`, only an object or an
 * array is JSON here, anything else is 400 malformed-body.
 */
function parseJson(text: string): unknown {
  const body = text.trim();
  if (body.length === 0) return {};
  try {
    if (body[0] !== '{' && body[0] !== '[') throw new SyntaxError(`Unexpected token '${body[0]}', expected an object or an array`);
    return JSON.parse(body);
  } catch (e) {
    throw new AppError(400, 'malformed-body', `The request body is not valid JSON: ${(e as Error).message}`);
  }
}

export default async function run(task: ImportTask): Promise<ImportOutcome> {
  try {
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    if (task.op === 'profiles') {
      const notUtf8 = isUtf8Charset(task.charset) ? invalidUtf8Lines(bytes) : new Set<number>();
      return { ok: await service.storeProfiles(parseImportBody(decode(bytes, task.charset), task.kind, notUtf8)) };
    }
    if (isUtf8Charset(task.charset) && !isUtf8(bytes)) throw invalidUtf8Body();
    const body = parseOr400(EventsBody, parseJson(decode(bytes, task.charset)), 'body');
    return { ok: await service.storeEvents(body.events) };
  } catch (err) {
    if (err instanceof AppError) return { fail: { status: err.status, code: err.code, message: err.message, errors: err.errors } };
    const e = err as { name?: string; code?: string; message?: string };
    return { fail: { name: e?.name, code: e?.code, message: e?.message ?? String(err) } };
  }
}
