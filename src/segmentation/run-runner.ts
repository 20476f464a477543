import type { Logger } from '../logger.js';
import type { EngineRun, SegmentationEngine } from './engine.js';
import { DEFAULT_PARAMS, type RunParams, type SegmentsResult } from './pipeline.js';
import type { SegmentationRepository } from './repository.js';
import { isAudienceRun, type RunKind } from './run-record.js';
import { keepAlive } from './run-heartbeat.js';
import { runDecay } from './decay.js';
import { rejection, type RunOutcome, type VisibleOutcome } from './run-validation.js';
import { InProcessEngine } from './engine-in-process.js';

/** Segments (and their IN_SEGMENT edges) are kept for this many newest succeeded runs; SegmentRun nodes stay. */
const KEEP_SEGMENT_RUNS = 5;
/** The same for audiences' own segmentations (each audience a marketer segments is one run). */
const KEEP_AUDIENCE_RUNS = 50;

/** The error a run fails with when its worker is asked to stop (SIGTERM, or its parent went away). */
export const SHUTDOWN_ERROR = 'interrupted: shutdown';

export interface RunProgress {
  phase: 'project' | 'detect' | 'write' | 'done';
  done?: number;
  total?: number;
}

/** A run a worker has claimed (status running, owned by the worker). */
export interface ClaimedRun {
  id: string;
  /** As stored when it was queued: the effective parameters plus `engine`. */
  params: Record<string, unknown>;
  /** Becomes the visible run when it succeeds (false: a candidate). */
  publish: boolean;
  /** SegmentRun.kind ('segmentation' when absent): an `audience` run is never published, validated against the visible run, nor matched with its lineage. */
  kind?: RunKind;
}

/**
 * What marketers decided about segments (src/curation/run-curator.ts), applied to every new run: excluded topics stay
 * out of the projection, pinned topics go where they were pinned, names and merges are carried to the new run's ids.
 */
export interface RunCurator {
  excludedTopics(): Promise<ReadonlySet<string>>;
  /** Pins, their segments carried to the ids of `previousRunId` (the run the new one is matched against). */
  pinsFor(previousRunId: string): Promise<Array<{ topicId: string; segmentId: string }>>;
  /** After detection: `write` applies names and merges to the run's written segments; `metrics` sums them up. */
  prepare(
    runId: string,
    previousRunId: string | null,
    result: SegmentsResult,
  ): Promise<{ write(): Promise<void>; metrics: Record<string, unknown> }>;
}

class Interrupted extends Error {
  constructor() {
    super(SHUTDOWN_ERROR);
  }
}

/** A run that must not go live (run-validation.ts): failed with its reason, nothing written. */
class Rejected extends Error {}

/**
 * Executes one claimed run, worker side: projection and detection (the engine), writing the segments, then the status
 * flip that makes the run visible (nothing per person: affinities are computed on read from the visible run). Whatever
 * fails, or a stop request, cleans up what the run wrote before its status turns `failed`, so the previous run stays
 * the visible one throughout. `signal` is checked between phases and inside long loops (streaming interests, writing
 * batches); the synchronous Louvain runs to its end before the run stops.
 */
export class RunRunner {
  /** Optional observer (benchmarks). */
  onProgress: ((runId: string, p: RunProgress) => void) | undefined;

  constructor(
    private readonly repo: SegmentationRepository,
    private readonly engine: SegmentationEngine,
    private readonly logger: Logger,
    private readonly curator?: RunCurator,
  ) {}

  /** Resolves once the run has succeeded or failed (never throws). */
  async execute(run: ClaimedRun, signal: AbortSignal): Promise<'succeeded' | 'failed'> {
    const runId = run.id;
    const params = runParams(run.params);
    const log = this.logger.child({ runId });
    const started = performance.now();
    const phases = { projectMs: 0, detectMs: 0, writeMs: 0 };
    const progress = (p: RunProgress) => this.onProgress?.(runId, p);
    const checkStop = () => {
      if (signal.aborted) throw new Interrupted();
    };
    let phase: RunProgress['phase'] = 'project';
    const { stop: stopBeat } = keepAlive(this.repo, runId, () => phase, log);
    // Recorded at once, not at the next beat: recovery after a crash relies on the phase to know what to undo.
    const enter = async (next: RunProgress['phase']) => {
      checkStop();
      phase = next;
      progress({ phase });
      await this.repo.heartbeat(runId, next);
    };
    const onStop = () => log.info({ phase }, 'shutdown: stopping the segmentation run at its next check');
    signal.addEventListener('abort', onStop, { once: true });
    let wroteData = false;
    let outcome: RunOutcome | undefined;
    try {
      const audience = isAudienceRun(run);
      log.info({ params, kind: run.kind ?? 'segmentation' }, 'segmentation run started');
      // An audience is a sub-population streamed into the worker (the GDS engine projects everyone).
      const engine = audience && this.engine.name !== 'graphology' ? new InProcessEngine(this.repo) : this.engine;
      const curator = audience ? undefined : this.curator;
      await engine.check();
      progress({ phase });
      let previousRunId: string | null = null;
      const engineRun: EngineRun = {
        runId,
        params,
        decay: runDecay(run.params),
        previous: async () => {
          // An audience's segments are its own: neither matched with the population's nor carried on from them.
          if (audience) return null;
          const visibleId = (previousRunId = await this.repo.visibleRunId());
          if (!visibleId) return null;
          const [segments, older] = await Promise.all([
            this.repo.runSegmentTopics(visibleId),
            this.repo.visibleLineage(visibleId, KEEP_SEGMENT_RUNS),
          ]);
          return { runId: visibleId, segments, older, pins: (await curator?.pinsFor(visibleId)) ?? [] };
        },
        enterDetect: () => enter('detect'),
        progress: (done) => progress({ phase, done }),
        checkStop,
        ...(curator ? { excludedTopics: await curator.excludedTopics() } : {}),
        ...(audience ? { users: await this.repo.audienceUsers(runId) } : {}),
      };
      const detected = await engine.segment(engineRun);
      const { result, algorithm } = detected;
      phases.projectMs = Math.round(detected.projectMs);
      phases.detectMs = Math.round(detected.detectMs);
      const coarse = result.segments.filter((s) => s.level === 'coarse');
      outcome = { segments: coarse.filter((s) => !s.other).length, users: result.users, segmentedUsers: result.segmentedUsers };
      // Before anything is written: a rejected run leaves nothing behind, and the visible run stays.
      const why = rejection(outcome, await this.visibleOutcome(), run.kind);
      if (why) throw new Rejected(why);
      const curated = await curator?.prepare(runId, previousRunId, result);

      await enter('write');
      const t0 = performance.now();
      wroteData = true;
      await this.repo.writeSegments(runId, result.segments, result.related, (done, total) => {
        checkStop();
        progress({ phase, done, total });
      });
      await curated?.write();
      phases.writeMs = Math.round(performance.now() - t0);

      const metrics = {
        engine: engine.name,
        algorithm,
        topics: result.topics,
        edges: result.edges,
        segments: coarse.length,
        fineSegments: result.segments.length - coarse.length,
        levels: result.levels,
        modularity: Math.round(result.modularity * 1e6) / 1e6,
        users: result.users,
        segmentedUsers: result.segmentedUsers,
        durationMs: Math.round(performance.now() - started),
        phases,
        stability: result.stability.coarse,
        stabilityFine: result.stability.fine,
        significantSegments: result.significantSegments,
        seedNmi: result.seedNmi,
        ...(result.natural ? { natural: result.natural } : {}),
        ...(curated ? { curation: curated.metrics } : {}),
      };
      // The last check: a run asked to stop never becomes visible, however far it got.
      checkStop();
      // Its segment ids continue the lineage of the run they were matched against (the visible run when it read it).
      const basedOn = result.stability.coarse.previousRunId;
      const completed = await this.repo.completeRun(runId, metrics, { publish: run.publish && !audience, basedOn });
      if (!completed) throw new Error('the run was no longer running (marked failed elsewhere)');
      phase = 'done';
      progress({ phase });
      log.info(
        { metrics: { ...metrics, stability: undefined, stabilityFine: undefined }, visible: completed.visible },
        audience
          ? "audience segmentation run succeeded (the audience's own segments, never visible)"
          : completed.visible
            ? 'segmentation run succeeded: it is the visible run'
            : 'segmentation run succeeded as a candidate (not visible)',
      );
      if (run.publish && !audience && !completed.visible) {
        log.warn(
          { basedOn },
          'the visible run changed while this run ran: it stays a candidate (its segment ids follow the run it started from)',
        );
      }
      // RELATED edges are the population's (an audience run writes none).
      if (!audience) await this.repo.pruneRelated().catch((err) => log.warn({ err }, 'could not drop RELATED edges no longer read'));
      await this.repo
        .deleteOldSegments(KEEP_SEGMENT_RUNS, KEEP_AUDIENCE_RUNS)
        .catch((err) => log.warn({ err }, "could not drop old runs' segments"));
      return 'succeeded';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof Interrupted) log.warn({ phase }, 'segmentation run stopped by shutdown: cleaning up');
      else if (err instanceof Rejected) log.warn({ reason: message }, 'segmentation run rejected: the visible run stays');
      else log.error({ err }, 'segmentation run failed');
      // Clean up what the run wrote before the status says "failed": whoever sees that status sees nothing of the run.
      if (wroteData) {
        await this.repo.deleteRunData(runId).catch((e) => log.error({ err: e }, 'could not clean up the failed run'));
      }
      await this.repo
        .failRun(runId, message, { phases, durationMs: Math.round(performance.now() - started), ...outcome })
        .catch((e) => log.error({ err: e }, 'could not mark the run failed'));
      return 'failed';
    } finally {
      signal.removeEventListener('abort', onStop);
      stopBeat();
    }
  }

  /** How much of the population the visible run covered (runs made before segmentedUsers was recorded: unknown). */
  private async visibleOutcome(): Promise<VisibleOutcome | null> {
    const id = await this.repo.visibleRunId();
    const run = id ? await this.repo.getRun(id) : undefined;
    if (!run) return null;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    return { id: run.id, users: num(run.metrics?.users), segmentedUsers: num(run.metrics?.segmentedUsers) };
  }
}

/** The stored parameters (effective ones, plus `engine`) back as RunParams; anything missing takes its default. */
function runParams(stored: Record<string, unknown>): RunParams {
  const out: RunParams = { ...DEFAULT_PARAMS };
  for (const key of Object.keys(DEFAULT_PARAMS) as Array<keyof RunParams>) {
    const v = stored[key];
    if (v !== undefined && v !== null && typeof v === typeof DEFAULT_PARAMS[key]) (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}
