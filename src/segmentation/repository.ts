import type { Db, DbOptions } from '../db/neo4j.js';
import type { Level, PreviousRun, SegmentOut } from './pipeline.js';
import { type RawSegment, type SegmentRecord, toSegment } from './segment-rows.js';

export type { SegmentCuration, SegmentRecord } from './segment-rows.js';
import { DAY_MS, type RunDecay } from './decay.js';
import {
  toRun,
  type AudienceRunInput,
  type ClaimedForRecovery,
  type RawRun,
  type RunKind,
  type RunRecord,
  type RunStatus,
  type RunTrigger,
} from './run-record.js';

export type { AudienceRunInput, ClaimedForRecovery, RunKind, RunRecord, RunStatus, RunTrigger } from './run-record.js';

function isConstraintViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'Neo.ClientError.Schema.ConstraintValidationFailed';
}

export class SegmentationRepository {
  constructor(private readonly db: Db) {}

  /** Where a run's heartbeat thread connects (run-heartbeat.ts). */
  get dbOptions(): DbOptions {
    return this.db.options;
  }

  /** Creates a queued run, or returns null when another run holds the active slot (the database decides). */
  async createRun(
    id: string,
    params: object,
    engine: string,
    opts: { publish: boolean; trigger: RunTrigger; audience?: AudienceRunInput } = { publish: true, trigger: 'api' },
  ): Promise<{ id: string; status: RunStatus } | null> {
    try {
      const [row] = await this.db.write<{ id: string; status: RunStatus }>('segmentation/create-run', {
        id,
        params: JSON.stringify(params),
        engine,
        publish: opts.audience ? false : opts.publish,
        trigger: opts.trigger,
        kind: opts.audience ? 'audience' : 'segmentation',
        audience: opts.audience ? JSON.stringify(opts.audience.definition) : null,
        audienceUsers: opts.audience ? [...opts.audience.userIds] : null,
      });
      return row ?? null;
    } catch (err) {
      if (isConstraintViolation(err)) return null;
      throw err;
    }
  }

  /** The queued run of this engine, now running and owned by `owner`; undefined when there is none (or it was taken). */
  async claimNextRun(
    owner: string,
    engine: string,
  ): Promise<{ id: string; params: Record<string, unknown>; publish: boolean; kind: RunKind } | undefined> {
    const [row] = await this.db.write<{ id: string; params: string | null; publish: boolean; kind: RunKind }>(
      'segmentation/claim-next-run',
      { owner, engine },
    );
    return (
      row && {
        id: row.id,
        params: row.params ? (JSON.parse(row.params) as Record<string, unknown>) : {},
        publish: row.publish,
        kind: row.kind,
      }
    );
  }

  /** The members of an audience run (user ids). */
  async audienceUsers(runId: string): Promise<string[]> {
    const [row] = await this.db.read<{ userIds: string[] }>('segmentation/read-audience-users', { id: runId }, { deadline: 'batch' });
    return row?.userIds ?? [];
  }

  async heartbeat(id: string, phase: string | null = null): Promise<void> {
    await this.db.write('segmentation/heartbeat-run', { id, phase });
  }

  /**
   * The status flip; with `publish` the run also becomes the visible one, in the same statement, if the visible run is
   * still `basedOn` (the run its ids followed). Undefined when the run was no longer running.
   */
  async completeRun(
    id: string,
    metrics: object,
    opts: { publish: boolean; basedOn: string | null },
  ): Promise<{ visible: boolean } | undefined> {
    const [row] = await this.db.write<{ id: string; visible: boolean }>('segmentation/complete-run', {
      id,
      metrics: JSON.stringify(metrics),
      publish: opts.publish,
      basedOn: opts.basedOn,
    });
    return row && { visible: row.visible };
  }

  /**
   * Makes a succeeded run the visible one if the visible run is still the one its ids followed and no run is active.
   * `moved`: it became visible now; otherwise `visibleRunId` says what is visible and `busy` whether a run was active.
   */
  async publishRun(id: string): Promise<{ visibleRunId: string | null; moved: boolean; busy: boolean } | undefined> {
    const [row] = await this.db.write<{ visibleRunId: string | null; moved: boolean; busy: boolean }>('segmentation/publish-run', { id });
    return row;
  }

  async failRun(id: string, error: string, metrics: object | null = null): Promise<void> {
    await this.db.write('segmentation/fail-run', { id, error, metrics: metrics ? JSON.stringify(metrics) : null });
  }

  /** Active runs silent for staleMs, now claimed by `owner` (heartbeat refreshed), with the phase they had reached. */
  async claimStaleRuns(staleMs: number, owner: string): Promise<ClaimedForRecovery[]> {
    return this.db.write<ClaimedForRecovery>('segmentation/claim-stale-runs', { staleMs, owner });
  }

  /** Active runs of a process known to be dead (`deadOwner`), now claimed by `owner`. */
  async claimRunsOf(deadOwner: string, owner: string): Promise<ClaimedForRecovery[]> {
    return this.db.write<ClaimedForRecovery>('segmentation/claim-runs-of-owner', { deadOwner, owner });
  }

  async activeRun(): Promise<{ id: string; status: RunStatus } | undefined> {
    const [row] = await this.db.read<{ id: string; status: RunStatus }>('segmentation/get-active-run');
    return row;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.db.read<{ run: RawRun }>('segmentation/get-run', { id });
    return row ? toRun(row.run) : undefined;
  }

  /** Newest first, after a keyset position (createdAt in ms, id) when given. */
  async listRuns(after: { createdAtMs: number; id: string } | undefined, limit: number): Promise<RunRecord[]> {
    const rows = await this.db.read<{ run: RawRun }>('segmentation/list-runs', {
      afterMs: after?.createdAtMs ?? null,
      afterId: after?.id ?? null,
      limit,
    });
    return rows.map((r) => toRun(r.run));
  }

  /** The id of the run readers see (the VisibleRun pointer, cypher/segmentation/find-visible-run.cypher), null before the first. */
  async visibleRunId(): Promise<string | null> {
    return (await this.visibleRun())?.id ?? null;
  }

  /** The same with the curation sequence its segments reflect (a curation change shows as a new version of the run). */
  async visibleRun(): Promise<{ id: string; curationSeq: number } | null> {
    const [row] = await this.db.read<{ runId: string; curationSeq: number }>('segmentation/find-visible-run');
    return row?.runId ? { id: row.runId, curationSeq: row.curationSeq } : null;
  }

  async runSegmentTopics(runId: string): Promise<Array<{ id: string; level: Level; other: boolean; topics: string[] }>> {
    return this.db.read('segmentation/list-run-segment-topics', { runId }, { deadline: 'batch' });
  }

  /** The runs visible before `visibleRunId` (never unpublished candidates), newest first, with their segments' topics. */
  async visibleLineage(visibleRunId: string, limit: number): Promise<NonNullable<PreviousRun['older']>> {
    type Row = { runId: string; id: string; level: Level; other: boolean; topics: string[] };
    const rows = await this.db.read<Row>('segmentation/list-lineage-segment-topics', { runId: visibleRunId, limit }, { deadline: 'batch' });
    const runs = new Map<string, Array<Omit<Row, 'runId'>>>();
    for (const { runId, ...segment } of rows) {
      const list = runs.get(runId) ?? [];
      runs.set(runId, list);
      list.push(segment);
    }
    return [...runs].map(([runId, segments]) => ({ runId, segments }));
  }

  /**
   * One row per consenting user with at least one interest, streamed (never all in memory as records); with `decay`,
   * weights decayed at its `asOf` (src/segmentation/decay.ts); with `userIds`, only those people (an audience run).
   */
  async streamInterests(
    onUser: (topics: string[], weights: number[]) => void,
    decay: RunDecay | null = null,
    userIds?: readonly string[],
  ): Promise<number> {
    const halfLives = decay ? Object.fromEntries(Object.entries(decay.halfLifeDays).map(([s, d]) => [s, d * DAY_MS])) : null;
    const params = { halfLifeMs: halfLives, asOfMs: decay ? Date.parse(decay.asOf) : 0 };
    const [statement, all] = userIds
      ? ['segmentation/stream-audience-interests', { ...params, userIds: [...userIds] }]
      : ['segmentation/stream-interests', params];
    return this.db.stream(statement, all, (row) => onUser(row.topics as string[], row.weights as number[]));
  }

  async streamTopics(onTopic: (t: { id: string; name: string; category: string | null }) => void): Promise<number> {
    return this.db.stream('segmentation/stream-topics', {}, (row) => onTopic(row as { id: string; name: string; category: string | null }));
  }

  async writeSegments(
    runId: string,
    segments: SegmentOut[],
    related: Array<{ from: string; to: string; weight: number }>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const rows = segments.map((s) => ({
      id: s.id,
      level: s.level,
      label: s.label,
      other: s.other,
      topicCount: s.topicCount,
      userCount: s.userCount,
      share: s.share,
      topTopics: JSON.stringify(s.topTopics),
      parentId: s.parentId,
      cohesion: s.quality?.cohesion ?? null,
      conductance: s.quality?.conductance ?? null,
      evidence: s.quality?.evidence ?? null,
      significant: s.quality?.significant ?? null,
      seedStability: s.quality?.seedStability ?? null,
    }));
    const memberships = segments.map((s) => ({ uid: `${runId}/${s.id}`, topics: s.topics.map((t) => ({ id: t.id, score: t.score })) }));
    const bySource = new Map<string, Array<{ id: string; weight: number }>>();
    for (const r of related) {
      let list = bySource.get(r.from);
      if (!list) bySource.set(r.from, (list = []));
      list.push({ id: r.to, weight: r.weight });
    }
    const relatedRows = [...bySource].map(([from, to]) => ({ from, to }));
    const total = rows.length + memberships.length + relatedRows.length;
    await this.db.writeBatches('segmentation/create-segments', rows, { params: { runId } });
    onProgress?.(rows.length, total);
    await this.db.writeBatches('segmentation/create-topic-segments', memberships, {
      batchSize: 50,
      params: { runId },
      onBatch: (done) => onProgress?.(rows.length + done, total),
    });
    await this.db.writeBatches('segmentation/create-related', relatedRows, {
      batchSize: 500,
      params: { runId },
      onBatch: (done) => onProgress?.(rows.length + memberships.length + done, total),
    });
  }

  /** Removes everything a run wrote (a failed or crashed run) — its segments were never visible. */
  async deleteRunData(runId: string): Promise<void> {
    await this.deleteInBatches('segmentation/delete-run-segments', { runId });
    await this.deleteInBatches('segmentation/delete-related-batch', { runId, keepRunIds: [] });
  }

  /** RELATED edges are kept for the visible run and the candidates that can still be published; others are dropped. */
  async pruneRelated(): Promise<void> {
    const [row] = await this.db.read<{ runIds: string[] }>('segmentation/list-related-keepers', {}, { deadline: 'batch' });
    await this.deleteInBatches('segmentation/delete-related-batch', { runId: null, keepRunIds: row?.runIds ?? [] });
  }

  /**
   * Retention: segments of all but the visible run, the newest `keep` succeeded population runs and the newest
   * `keepAudience` audience runs (and of no active run).
   */
  async deleteOldSegments(keep: number, keepAudience: number): Promise<void> {
    await this.deleteInBatches('segmentation/delete-old-segments', { keep, keepAudience });
  }

  /** Repeats a statement that deletes a bounded batch and returns `deleted`, until nothing is left. */
  private async deleteInBatches(statement: string, params: Record<string, unknown>): Promise<void> {
    for (;;) {
      const [row] = await this.db.write<{ deleted: number }>(statement, params, { deadline: 'batch' });
      if (!row || row.deleted === 0) return;
    }
  }

  async listSegments(runId: string, level: Level, skip: number, limit: number): Promise<SegmentRecord[]> {
    const rows = await this.db.read<{ segment: RawSegment }>('segmentation/list-segments', { runId, level, skip, limit });
    return rows.map((r) => toSegment(r.segment));
  }

  async getSegment(runId: string, id: string): Promise<SegmentRecord | undefined> {
    const [row] = await this.db.read<{ segment: RawSegment }>('segmentation/get-segment', { runId, id });
    return row ? toSegment(row.segment) : undefined;
  }

  graphTopics(runId: string): Promise<Array<{ id: string; name: string; category: string | null; segmentId: string; score: number }>> {
    return this.db.read('segmentation/list-graph-topics', { runId });
  }

  graphEdges(runId: string): Promise<Array<{ source: string; target: string; weight: number }>> {
    return this.db.read('segmentation/list-graph-edges', { runId });
  }

  async listSegmentTopics(
    runId: string,
    id: string,
    skip: number,
    limit: number,
  ): Promise<Array<{ id: string; name: string; category: string | null; score: number }>> {
    return this.db.read('segmentation/list-segment-topics', { runId, id, skip, limit });
  }
}
