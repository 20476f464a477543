import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { EngineName } from './engine.js';
import type { HalfLifeDays } from './decay.js';
import { DEFAULT_PARAMS, type RunParams } from './pipeline.js';
import type { AudienceRunInput, RunRecord, RunTrigger, SegmentationRepository } from './repository.js';
import type { RunRecovery } from './run-recovery.js';

/** What a caller (the API, the refresh policy) asks of a run: parameters, publish, and time decay. */
export type RunRequest = Partial<RunParams> & { publish?: boolean; halfLifeDays?: HalfLifeDays; asOf?: string };

/**
 * The API side of runs: validated parameters become a queued SegmentRun in Neo4j, which a worker process claims and
 * executes (src/worker/). Nothing of the run itself happens in the process that queues it.
 */
export class RunQueue {
  private readonly listeners = new Set<(runId: string) => void>();
  private stopping = false;

  constructor(
    private readonly repo: SegmentationRepository,
    private readonly recovery: RunRecovery,
    private readonly engine: EngineName,
  ) {}

  /** Called after every run this process queued (a supervising parent nudges its worker). */
  onQueued(listener: (runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Refuses new runs from now on (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /**
   * Queues a run; 409 while another is queued or running anywhere (a stale one is cleaned up first). `publish: false`
   * prepares a candidate: it succeeds without becoming the visible run. With `audience`, a run of that audience's
   * members only (kind `audience`: never published, never a candidate; POST /v1/audiences/segmentation).
   */
  async enqueue(input: RunRequest, trigger: RunTrigger = 'api', audience?: AudienceRunInput): Promise<{ id: string; status: 'queued' }> {
    if (this.stopping) throw AppError.unavailable('The service is shutting down');
    const { publish = true, halfLifeDays, asOf, ...rest } = input;
    const params: RunParams = { ...DEFAULT_PARAMS, ...definedOnly(rest) };
    const decay =
      halfLifeDays && Object.keys(halfLifeDays).length > 0 ? { halfLifeDays, asOf: new Date(asOf ?? Date.now()).toISOString() } : null;
    if (decay && this.engine === 'gds') {
      throw AppError.badRequest('Time-decayed interests (halfLifeDays) need SEGMENTATION_ENGINE=graphology', [
        { path: 'body.halfLifeDays', message: 'not supported by the gds engine' },
      ]);
    }
    if (asOf !== undefined && !decay) {
      throw AppError.badRequest('asOf is the moment interests decay to: give it with halfLifeDays', [
        { path: 'body.asOf', message: 'needs halfLifeDays' },
      ]);
    }
    const id = randomUUID();
    const stored = { ...params, ...(decay ?? {}), engine: this.engine };
    const opts = { publish: publish && !audience, trigger, ...(audience ? { audience } : {}) };
    let created = await this.repo.createRun(id, stored, this.engine, opts);
    if (!created && (await this.recovery.recoverStale()).length > 0) {
      created = await this.repo.createRun(id, stored, this.engine, opts);
    }
    if (!created) {
      const active = await this.repo.activeRun();
      throw new AppError(
        409,
        'run-in-progress',
        `Segmentation run ${active?.id ?? '(unknown)'} is ${active?.status ?? 'in progress'}; start a new one when it has finished`,
      );
    }
    for (const listener of this.listeners) listener(created.id);
    return { id: created.id, status: 'queued' };
  }

  async getRun(id: string): Promise<RunRecord> {
    const run = await this.repo.getRun(id);
    if (!run) throw AppError.notFound('Segmentation run');
    return run;
  }

  listRuns(after: { createdAtMs: number; id: string } | undefined, limit: number): Promise<RunRecord[]> {
    return this.repo.listRuns(after, limit);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
