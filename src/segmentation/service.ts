import { randomBytes, randomUUID } from 'node:crypto';
import type { Hooks } from '../hooks.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { GDS_GRAPH_PREFIX } from './gds.js';
import { InterestCollector } from './projection.js';
import {
  DEFAULT_PARAMS,
  type Level,
  type PreviousRun,
  type RunParams,
  segmentDetected,
  segmentInterests,
  type SegmentsResult,
  type TopicMeta,
} from './pipeline.js';
import type { RunRecord, SegmentationRepository, SegmentRecord } from './repository.js';
import { undirectedEdges } from './topic-graph.js';
import type { VisibleRun } from './visible-run.js';

/**
 * A running job refreshes its heartbeat this often, and at every phase change; one silent for STALE_MS is treated as
 * crashed. The timer cannot fire while pair counting and Louvain run synchronously (2–2.6 s of CPU at 10k and 20k
 * users × 25 interests, linear in interests: an estimated 10–20 s at 100k), so the threshold is several times the
 * longest synchronous stretch, and the heartbeat is written just before it starts.
 */
const HEARTBEAT_MS = 5_000;
const STALE_MS = 120_000;
/** Segments (and their IN_SEGMENT edges) are kept for this many newest succeeded runs; SegmentRun nodes stay. */
const KEEP_SEGMENT_RUNS = 5;

export type Engine = 'graphology' | 'gds';

export interface RunProgress {
  phase: 'project' | 'detect' | 'write' | 'done';
  done?: number;
  total?: number;
}

export class SegmentationService {
  readonly instanceId = randomUUID();
  private current: { id: string; done: Promise<void> } | undefined;
  private stopping = false;
  /** Optional observer (benchmarks, startup logging). */
  onProgress: ((runId: string, p: RunProgress) => void) | undefined;

  constructor(
    private readonly repo: SegmentationRepository,
    hooks: Hooks,
    private readonly logger: Logger,
    private readonly engine: Engine,
    private readonly visible: VisibleRun,
  ) {
    hooks.on('shutdown', () => this.stop());
  }

  /** Queues a run and starts it in the background; 409 while another is queued or running anywhere. */
  async startRun(input: Partial<RunParams>): Promise<{ id: string; status: 'queued' | 'running' }> {
    if (this.stopping) throw AppError.unavailable('The service is shutting down');
    const params: RunParams = { ...DEFAULT_PARAMS, ...definedOnly(input) };
    const id = randomUUID();
    const stored = { ...params, engine: this.engine };
    let created = await this.repo.createRun(id, stored, this.instanceId);
    if (!created && (await this.recover()).length > 0) {
      created = await this.repo.createRun(id, stored, this.instanceId);
    }
    if (!created) {
      const active = await this.repo.activeRun();
      throw new AppError(
        409,
        'run-in-progress',
        `Segmentation run ${active?.id ?? '(unknown)'} is ${active?.status ?? 'in progress'}; start a new one when it has finished`,
      );
    }
    const done = this.execute(id, params).finally(() => {
      if (this.current?.id === id) this.current = undefined;
    });
    this.current = { id, done };
    return { id: created.id, status: created.status as 'queued' };
  }

  /** Resolves when this process's current run (if any) has finished, successfully or not. */
  async idle(): Promise<void> {
    await this.current?.done;
  }

  /**
   * Runs whose process died (no heartbeat) are taken over and cleaned up like a failed run, so they neither block
   * nor leave anything behind: their segments and RELATED edges are deleted, then they are marked failed (nothing per
   * person is ever written for a run: affinities are computed on read).
   * A run whose cleanup fails stays claimed without heartbeat, so a later recovery retries it.
   */
  async recover(): Promise<string[]> {
    const stale = await this.repo.claimStaleRuns(STALE_MS, this.instanceId);
    const recovered: string[] = [];
    for (const run of stale) {
      const log = this.logger.child({ runId: run.id });
      const stopBeat = this.keepAlive(run.id, () => null, log);
      try {
        if (this.engine === 'gds') {
          // Its in-memory GDS graphs only hold memory: failing to drop them must not keep the run from being failed.
          await this.repo
            .dropGdsGraphs({ prefix: `${gdsGraphName(run.id)}-` })
            .catch((err) => log.warn({ err }, 'could not drop the GDS graphs of a run left by a stopped process'));
        }
        // Affinities first: dropped in bounded batches, they would otherwise go in one transaction with their segments.
        await this.repo.deleteRunData(run.id);
        await this.repo.failRun(run.id, `interrupted: the process running it stopped (no heartbeat since ${run.lastBeat})`);
        log.warn({ phase: run.phase }, 'segmentation run interrupted by a stopped process: cleaned up and marked failed');
        recovered.push(run.id);
      } catch (err) {
        log.error({ err }, 'could not clean up a segmentation run left by a stopped process');
      } finally {
        stopBeat();
      }
    }
    return recovered;
  }

  /**
   * SEGMENTATION_ENGINE=gds only: the in-memory GDS graphs of runs that are no longer active (a process died mid-run).
   * A still active run's graphs are kept: after recover() such a run is alive, in another instance.
   */
  async dropLeftoverGdsGraphs(): Promise<string[]> {
    if (this.engine !== 'gds') return [];
    return this.repo.dropGdsGraphs({
      keep: async () => {
        const active = await this.repo.activeRun();
        return (name) => active !== undefined && name.startsWith(`${gdsGraphName(active.id)}-`);
      },
    });
  }

  /**
   * With SEGMENTATION_ENGINE=gds, throws unless the database has Graph Data Science: main.ts calls it at start so a
   * misconfiguration stops the process at once, and every gds run calls it first so it fails with the same message.
   * Returns the GDS version (null for the in-process engine).
   */
  async checkEngine(): Promise<string | null> {
    if (this.engine !== 'gds') return null;
    const version = await this.repo.gdsAvailable();
    if (!version) {
      throw new Error(
        'SEGMENTATION_ENGINE=gds needs the Neo4j Graph Data Science plugin, which this Neo4j does not have ' +
          '(gds.version() is unknown): leave NEO4J_URI unset so the embedded Neo4j starts with GDS, install the plugin ' +
          'in your Neo4j, or set SEGMENTATION_ENGINE=graphology',
      );
    }
    return version;
  }

  private keepAlive(runId: string, phase: () => string | null, log: Logger): () => void {
    const timer = setInterval(() => {
      this.repo.heartbeat(runId, phase()).catch((err) => log.warn({ err }, 'heartbeat failed'));
    }, HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async stop(): Promise<void> {
    this.stopping = true;
    const running = this.current;
    if (running) {
      this.logger.info({ runId: running.id }, 'shutdown: abandoning the segmentation run');
      await Promise.race([running.done, new Promise((r) => setTimeout(r, 30_000).unref())]);
    }
  }

  private checkStop() {
    if (this.stopping) throw new Error('interrupted: the service shut down during the run');
  }

  private async execute(runId: string, params: RunParams): Promise<void> {
    const log = this.logger.child({ runId });
    const started = performance.now();
    const phases = { projectMs: 0, detectMs: 0, writeMs: 0 };
    const progress = (p: RunProgress) => this.onProgress?.(runId, p);
    let phase: RunProgress['phase'] = 'project';
    const stopBeat = this.keepAlive(runId, () => phase, log);
    // Recorded at once, not at the next beat: recovery after a crash relies on the phase to know what to undo.
    const enter = async (next: RunProgress['phase']) => {
      phase = next;
      progress({ phase });
      await this.repo.heartbeat(runId, next);
    };
    let wroteData = false;
    try {
      if (!(await this.repo.startRun(runId))) throw new Error('the run was no longer queued (marked failed elsewhere)');
      log.info({ params }, 'segmentation run started');
      await this.checkEngine();
      progress({ phase });
      const loadPrevious = async (): Promise<PreviousRun | null> => {
        const runId = await this.repo.visibleRunId();
        return runId ? { runId, segments: await this.repo.runSegmentTopics(runId) } : null;
      };
      const detected =
        this.engine === 'gds'
          ? await this.segmentInDatabase(runId, params, loadPrevious, enter)
          : await this.segmentInProcess(params, loadPrevious, enter, (done) => progress({ phase, done }));
      const { result, algorithm } = detected;
      phases.projectMs = Math.round(detected.projectMs);
      phases.detectMs = Math.round(detected.detectMs);
      this.checkStop();

      await enter('write');
      let t0 = performance.now();
      wroteData = true;
      await this.repo.writeSegments(runId, result.segments, result.related, (done, total) =>
        progress({ phase, done, total }),
      );
      phases.writeMs = Math.round(performance.now() - t0);
      this.checkStop();

      const coarse = result.segments.filter((s) => s.level === 'coarse');
      const metrics = {
        engine: this.engine,
        algorithm,
        topics: result.topics,
        edges: result.edges,
        segments: coarse.length,
        fineSegments: result.segments.length - coarse.length,
        levels: result.levels,
        modularity: Math.round(result.modularity * 1e6) / 1e6,
        users: result.users,
        durationMs: Math.round(performance.now() - started),
        phases,
        stability: result.stability.coarse,
        stabilityFine: result.stability.fine,
        significantSegments: result.significantSegments,
        seedNmi: result.seedNmi,
        ...(result.natural ? { natural: result.natural } : {}),
      };
      if (!(await this.repo.completeRun(runId, metrics))) throw new Error('the run was no longer running (marked failed elsewhere)');
      phase = 'done';
      progress({ phase });
      log.info({ metrics: { ...metrics, stability: undefined, stabilityFine: undefined } }, 'segmentation run succeeded');
      await this.repo.deleteRelatedExcept(runId).catch((err) => log.warn({ err }, 'could not drop older RELATED edges'));
      await this.repo.deleteOldSegments(KEEP_SEGMENT_RUNS).catch((err) => log.warn({ err }, 'could not drop old runs\' segments'));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'segmentation run failed');
      // Clean up what was derived from the run before the status says "failed": whoever sees that status sees nothing
      // of the run.
      if (wroteData) {
        await this.repo.deleteRunData(runId).catch((e) => log.error({ err: e }, 'could not clean up the failed run'));
      }
      await this.repo
        .failRun(runId, message, { phases, durationMs: Math.round(performance.now() - started) })
        .catch((e) => log.error({ err: e }, 'could not mark the run failed'));
    } finally {
      stopBeat();
    }
  }

  /** SEGMENTATION_ENGINE=graphology: stream consenting users' interests into this process, then project and detect here. */
  private async segmentInProcess(
    params: RunParams,
    loadPrevious: () => Promise<PreviousRun | null>,
    enter: (phase: RunProgress['phase']) => Promise<void>,
    onUsers: (done: number) => void,
  ): Promise<Segmented> {
    const t0 = performance.now();
    // Topic ids become integers as they arrive.
    const interests = new InterestCollector();
    await this.repo.streamInterests((topics, weights) => {
      interests.addUser(topics, weights);
      if (interests.users % 10_000 === 0) onUsers(interests.users);
    });
    const meta = await this.topicMeta((id) => interests.indexOf(id) !== undefined);
    const streamMs = performance.now() - t0;
    this.checkStop();
    const previous = await loadPrevious();
    await enter('detect');
    const result = await segmentInterests(interests, meta, params, previous, newSegmentId);
    return { result, algorithm: 'louvain', projectMs: streamMs + result.timings.projectMs, detectMs: result.timings.detectMs };
  }

  /**
   * SEGMENTATION_ENGINE=gds: projection, similarity, sparsification and Louvain/Leiden in the database; only topics,
   * kept edges and communities come back, and segment sizes are counted there too. The rest is segmentDetected, as
   * in process.
   */
  private async segmentInDatabase(
    runId: string,
    params: RunParams,
    loadPrevious: () => Promise<PreviousRun | null>,
    enter: (phase: RunProgress['phase']) => Promise<void>,
  ): Promise<Segmented> {
    let t0 = performance.now();
    // Named after the run, so recovery and the startup sweep can tell whose graphs they are.
    const gds = await this.repo.gdsSegment(params, { graphName: gdsGraphName(runId) });
    const topicSet = new Set(gds.topicIds);
    const meta = await this.topicMeta((id) => topicSet.has(id));
    // Everything before detection: the projection, support, similarity (the bulk of it) and the topics' names.
    const projectMs = performance.now() - t0 - gds.timings.detectMs - gds.timings.streamMs;
    this.checkStop();
    const previous = await loadPrevious();
    await enter('detect');
    t0 = performance.now();
    const edges = { nodeCount: gds.nodeCount, edgeA: gds.edgeA, edgeB: gds.edgeB, edgeWeight: gds.edgeWeight, active: gds.active };
    const result = await segmentDetected(
      {
        topicIds: gds.topicIds,
        support: gds.support,
        active: gds.active,
        users: gds.users,
        // Only the kept edges come back: grouping, labels and RELATED see those (exact while relatedPerTopic ≤ neighbours).
        edges,
        detectionEdges: edges,
        detection: gds.detection,
      },
      meta,
      params,
      previous,
      newSegmentId,
      (_level, membership) => this.repo.gdsAudience(gds.topicIds, membership),
      (membership, count) => this.repo.gdsQuality(gds.topicIds, membership, count, params.minSupport),
    );
    const detectMs = gds.timings.detectMs + gds.timings.streamMs + (performance.now() - t0);
    return { result, algorithm: gds.algorithm, projectMs, detectMs };
  }

  private async topicMeta(wanted: (id: string) => boolean): Promise<Map<string, TopicMeta>> {
    const meta = new Map<string, TopicMeta>();
    await this.repo.streamTopics((t) => {
      if (wanted(t.id)) meta.set(t.id, { name: t.name, category: t.category });
    });
    return meta;
  }

  // ---- readers: always the visible run (as this process serves it: see visible-run.ts) -------------------------

  async getRun(id: string): Promise<RunRecord> {
    const run = await this.repo.getRun(id);
    if (!run) throw AppError.notFound('Segmentation run');
    return run;
  }

  listRuns(after: { createdAtMs: number; id: string } | undefined, limit: number): Promise<RunRecord[]> {
    return this.repo.listRuns(after, limit);
  }

  async latestRun(): Promise<RunRecord | undefined> {
    return (await this.visible.get()) ?? undefined;
  }

  async listSegments(level: Level, skip: number, limit: number): Promise<{ runId: string | null; items: SegmentRecord[] }> {
    const run = await this.visible.get();
    if (!run) return { runId: null, items: [] };
    return { runId: run.id, items: await this.repo.listSegments(run.id, level, skip, limit) };
  }

  async getSegment(id: string): Promise<SegmentRecord & { runId: string; metrics: Record<string, unknown> }> {
    const run = await this.visible.get();
    const segment = run && (await this.repo.getSegment(run.id, id));
    if (!run || !segment) throw AppError.notFound('Segment');
    return { ...segment, runId: run.id, metrics: run.metrics ?? {} };
  }

  /** The visible run's topics (with their coarse segment) and co-interest links, for drawing the whole graph at once. */
  async topicGraph() {
    const run = await this.visible.get();
    if (!run) return { runId: null, nodes: [], edges: [] };
    const [nodes, links] = await Promise.all([this.repo.graphTopics(run.id), this.repo.graphEdges(run.id)]);
    return { runId: run.id, nodes, edges: undirectedEdges(links, new Set(nodes.map((n) => n.id))) };
  }

  /** With the run the topics come from, so that a paging client can tell when a newer run has replaced it. */
  async segmentTopics(id: string, skip: number, limit: number) {
    const run = await this.visible.get();
    if (!run || !(await this.repo.getSegment(run.id, id))) throw AppError.notFound('Segment');
    return { runId: run.id, items: await this.repo.listSegmentTopics(run.id, id, skip, limit) };
  }
}

interface Segmented {
  result: SegmentsResult;
  algorithm: 'louvain' | 'leiden';
  projectMs: number;
  detectMs: number;
}

/** Base name of a run's in-memory GDS graphs (segmentWithGds appends -interests, -similarity). */
function gdsGraphName(runId: string): string {
  return `${GDS_GRAPH_PREFIX}${runId}`;
}

/** Short, URL-safe, and different per level so coarse and fine segments never share an id. */
function newSegmentId(level: Level): string {
  return `${level === 'coarse' ? 'seg' : 'sub'}_${randomBytes(6).toString('hex')}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
