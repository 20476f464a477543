import { Piscina } from 'piscina';
import { AppError } from '../errors.js';
import type { Hooks } from '../hooks.js';
import type { EventsResult, ImportResult } from './ingest-service.js';
import type { ImportOutcome, ImportTask, ImportWorkerData } from './import-worker.js';
import type { RawBody } from './schemas.js';
import { tsxExecArgv } from '../threads.js';
import { NICENESS } from '../priority.js';

export interface ImportPoolOptions {
  /** Worker threads at most (each holds its own Neo4j driver); further bodies wait for a free one. */
  maxThreads?: number;
  /** An idle thread ends after this long; the next body starts one again (~1 s of CPU, off the request loop). */
  idleTimeoutMs?: number;
}

/**
 * Runs profile imports and event batches in worker threads (piscina): the request loop only receives the bytes and
 * hands them over (moved, not copied), then emits `interestsChanged` with the user ids the worker reports, as the
 * in-process IngestService does. Answers and errors are the same as in process: an AppError raised in the worker
 * comes back as that AppError, a database error keeps the name and code the HTTP layer maps to 503.
 */
export class ImportPool {
  private pool: Piscina | undefined;

  constructor(
    private readonly data: ImportWorkerData,
    private readonly hooks: Hooks,
    private readonly opts: ImportPoolOptions = {},
  ) {}

  async importProfiles(body: RawBody): Promise<ImportResult> {
    const { userIds, ...result } = (await this.run({
      op: 'profiles',
      bytes: body.bytes,
      kind: body.kind,
      charset: body.charset,
    })) as ImportResult & {
      userIds: string[];
    };
    if (userIds.length) await this.hooks.emit('interestsChanged', { userIds });
    return result;
  }

  async ingestEvents(body: RawBody): Promise<EventsResult> {
    const { userIds, ...result } = (await this.run({ op: 'events', bytes: body.bytes, charset: body.charset })) as EventsResult & {
      userIds: string[];
    };
    if (userIds.length) await this.hooks.emit('interestsChanged', { userIds });
    return result;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  private async run(task: ImportTask): Promise<(ImportResult | EventsResult) & { userIds: string[] }> {
    // Moving the body's memory to the worker is free; only a buffer that shares its memory with others is copied.
    const own =
      task.bytes.byteOffset === 0 && task.bytes.byteLength === task.bytes.buffer.byteLength && task.bytes.buffer instanceof ArrayBuffer;
    const bytes = own ? task.bytes : new Uint8Array(task.bytes);
    const outcome = (await this.workers().run({ ...task, bytes }, { transferList: [bytes.buffer as ArrayBuffer] })) as ImportOutcome;
    if ('ok' in outcome) return outcome.ok;
    const f = outcome.fail;
    if (f.status !== undefined) throw new AppError(f.status, f.code ?? 'error', f.message, f.errors);
    throw Object.assign(new Error(f.message), { name: f.name ?? 'Error', code: f.code });
  }

  private workers(): Piscina {
    this.pool ??= new Piscina({
      filename: new URL('./import-worker.ts', import.meta.url).href,
      workerData: this.data,
      execArgv: tsxExecArgv(),
      minThreads: 0,
      maxThreads: this.opts.maxThreads ?? 2,
      idleTimeout: this.opts.idleTimeoutMs ?? 60_000,
      // Below the request loop, level with the database the import feeds (src/priority.ts).
      niceIncrement: NICENESS.database,
    });
    return this.pool;
  }
}
