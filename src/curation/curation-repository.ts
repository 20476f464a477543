import { LRUCache } from 'lru-cache';
import type { Db, Tx } from '../db/neo4j.js';
import type { Hierarchy } from '../segmentation/hierarchy.js';
import type { Lineage } from '../segmentation/lineage.js';
import type { SegmentQuality } from '../segmentation/pipeline.js';
import type { DecisionKind } from './overlay.js';

export type DecisionStatus = 'active' | 'reverted' | 'replaced';
export type Granularity = number | 'recommended' | 'natural';

/** Who made or reverted a decision: the API key (id, name) and its role. */
export interface Actor {
  keyId: string;
  name: string;
  role: string;
}

export interface Decision {
  id: string;
  seq: number;
  kind: DecisionKind;
  status: DecisionStatus;
  /** As the marketer gave them (merge: the head first). */
  segmentIds: string[];
  label: string | null;
  topicId: string | null;
  granularity: Granularity | null;
  /** The visible run when it was made (null before any run). */
  runId: string | null;
  /** Where it applied last: its segments in run `targetsRunId` (carried from there to later runs). */
  targets: string[];
  targetsRunId: string | null;
  at: string;
  by: Actor;
  revertedAt: string | null;
  revertedBy: Actor | null;
}

interface RawDecision {
  id: string;
  seq: number;
  kind: DecisionKind;
  status: DecisionStatus;
  segmentIds: string[] | null;
  label: string | null;
  topicId: string | null;
  granularity: string | null;
  runId: string | null;
  targets: string[] | null;
  targetsRunId: string | null;
  at: string;
  byKeyId: string;
  byName: string;
  byRole: string;
  revertedAt?: string | null;
  revertedByKeyId?: string | null;
  revertedByName?: string | null;
  revertedByRole?: string | null;
}

function toDecision(d: RawDecision): Decision {
  const g = d.granularity;
  return {
    id: d.id,
    seq: d.seq,
    kind: d.kind,
    status: d.status,
    segmentIds: d.segmentIds ?? [],
    label: d.label ?? null,
    topicId: d.topicId ?? null,
    granularity: g === null || g === undefined ? null : g === 'recommended' || g === 'natural' ? g : Number(g),
    runId: d.runId ?? null,
    targets: d.targets ?? [],
    targetsRunId: d.targetsRunId ?? null,
    at: d.at,
    by: { keyId: d.byKeyId, name: d.byName, role: d.byRole },
    revertedAt: d.revertedAt ?? null,
    revertedBy: d.revertedByKeyId ? { keyId: d.revertedByKeyId, name: d.revertedByName ?? '', role: d.revertedByRole ?? '' } : null,
  };
}

/** A coarse segment as its run computed it (before curation), with what groups are made of. */
export interface OwnSegment {
  id: string;
  label: string;
  other: boolean;
  userCount: number;
  share: number;
  topicCount: number;
  topTopics: Array<{ id: string; name: string }>;
}

/** A group as a run shows it now: its members (head first) and figures. */
export interface ShownGroup {
  members: string[];
  userCount: number;
  share: number;
  topicCount: number;
  quality: SegmentQuality | null;
}

export interface RunState {
  /** With `mergedInto` for those curation shows as part of a group. */
  segments: Array<OwnSegment & { mergedInto: string | null }>;
  /** The groups shown now (their figures are kept when a change leaves a group as it is). */
  groups: ShownGroup[];
  hierarchy: Hierarchy | null;
  lineage: Lineage | null;
  curationSeq: number;
}

/** What curation writes on a run's segments (curation/overlay.ts planned it, with the groups' figures). */
export interface OverlayRows {
  labels: Array<{ id: string; label: string; source: string; decisionId: string | null; note: string | null }>;
  groups: Array<{
    head: string;
    members: string[];
    decisionIds: string[];
    grouped: 'curation' | 'granularity';
    userCount: number;
    share: number;
    topicCount: number;
    topTopics: string;
    quality: SegmentQuality | null;
  }>;
}

export class CurationRepository {
  /** Stability reports never change once a run has succeeded; the recent runs' are kept. */
  private readonly lineages = new LRUCache<string, Lineage>({ max: 256 });

  constructor(private readonly db: Db) {}

  async logSeq(): Promise<number> {
    const [row] = await this.db.read<{ seq: number }>('curation/read-log');
    return row?.seq ?? 0;
  }

  /** Takes the curation log's lock for the rest of `tx`; the sequence as it stands. */
  async lock(tx: Tx): Promise<number> {
    const [row] = await tx.run<{ seq: number }>('curation/lock-log');
    return row!.seq;
  }

  async nextSeq(tx: Tx): Promise<number> {
    const [row] = await tx.run<{ seq: number }>('curation/bump-log');
    return row!.seq;
  }

  async activeDecisions(): Promise<Decision[]> {
    const rows = await this.db.read<{ decision: RawDecision }>('curation/list-active-decisions');
    return rows.map((r) => toDecision(r.decision));
  }

  async listDecisions(status: DecisionStatus | null, beforeSeq: number | null, limit: number): Promise<Decision[]> {
    const rows = await this.db.read<{ decision: RawDecision }>('curation/list-decisions', { status, beforeSeq, limit });
    return rows.map((r) => toDecision(r.decision));
  }

  async getDecision(id: string): Promise<Decision | undefined> {
    const [row] = await this.db.read<{ decision: RawDecision }>('curation/get-decision', { id });
    return row ? toDecision(row.decision) : undefined;
  }

  async createDecision(
    tx: Tx,
    d: Pick<
      Decision,
      'id' | 'seq' | 'kind' | 'segmentIds' | 'label' | 'topicId' | 'granularity' | 'runId' | 'targets' | 'targetsRunId' | 'by'
    >,
  ): Promise<void> {
    await tx.run('curation/create-decision', { ...d, granularity: d.granularity === null ? null : String(d.granularity) });
  }

  async endDecision(tx: Tx, id: string, status: 'reverted' | 'replaced', by: Actor): Promise<boolean> {
    return (await tx.run('curation/revert-decision', { id, status, by })).length > 0;
  }

  async setTargets(tx: Tx, runId: string, rows: Array<{ id: string; targets: string[] }>): Promise<void> {
    if (rows.length > 0) await tx.run('curation/set-targets', { runId, rows });
  }

  async findTopic(id: string): Promise<{ id: string; name: string } | undefined> {
    const [row] = await this.db.read<{ id: string; name: string }>('curation/find-topic', { id });
    return row;
  }

  async runState(runId: string): Promise<RunState> {
    type RawGroup = Omit<ShownGroup, 'quality'> & {
      cohesion: number | null;
      conductance: number | null;
      evidence: number | null;
      significant: boolean | null;
    };
    const [row] = await this.db.read<{
      segments: Array<Omit<OwnSegment, 'topTopics'> & { topTopics: string | null; mergedInto: string | null; group: RawGroup | null }>;
      hierarchy: string | null;
      metrics: string | null;
      curationSeq: number | null;
    }>('curation/read-run-state', { runId }, { deadline: 'batch' });
    const segments = row?.segments ?? [];
    return {
      segments: segments.map(({ group: _group, ...s }) => ({
        ...s,
        mergedInto: s.mergedInto ?? null,
        topTopics: s.topTopics ? (JSON.parse(s.topTopics) as OwnSegment['topTopics']) : [],
      })),
      groups: segments.flatMap(({ group: g }) =>
        g
          ? [
              {
                members: g.members,
                userCount: g.userCount,
                share: g.share,
                topicCount: g.topicCount,
                quality:
                  g.cohesion === null
                    ? null
                    : {
                        cohesion: g.cohesion,
                        conductance: g.conductance ?? 0,
                        evidence: g.evidence ?? 0,
                        significant: g.significant ?? false,
                        seedStability: null,
                      },
              },
            ]
          : [],
      ),
      hierarchy: row?.hierarchy ? (JSON.parse(row.hierarchy) as Hierarchy) : null,
      lineage: lineageOfMetrics(row?.metrics ?? null),
      curationSeq: row?.curationSeq ?? 0,
    };
  }

  /** The run's stability report (its lineage from the run before it); null for runs without one. */
  async lineage(runId: string): Promise<Lineage | null> {
    const known = this.lineages.get(runId);
    if (known) return known;
    const [row] = await this.db.read<{ metrics: string | null }>('curation/read-run-lineage', { runId });
    const lineage = lineageOfMetrics(row?.metrics ?? null);
    // Only a finished run's report is final (a run in progress has none yet).
    if (lineage) this.lineages.set(runId, lineage);
    return lineage;
  }

  /** Consenting people with an interest in each group of the run's segments, counted in the database. */
  async countGroupUsers(runId: string, groups: ReadonlyArray<readonly string[]>): Promise<number[]> {
    const rows = await this.db.read<{ i: number; users: number }>(
      'curation/count-group-users',
      { runId, groups: groups.map((ids, i) => ({ i, ids })) },
      { deadline: 'batch' },
    );
    const out = groups.map(() => 0);
    for (const r of rows) out[r.i] = r.users;
    return out;
  }

  /**
   * Replaces the run's overlay (labels, groups) with `rows` and records the curation sequence it reflects (and the
   * run's hierarchy when given). In `tx` when the caller holds the log's lock, else in a transaction of its own.
   */
  async writeOverlay(runId: string, rows: OverlayRows, seq: number, hierarchy: Hierarchy | null, tx?: Tx): Promise<void> {
    const work = async (t: Tx) => {
      await t.run('curation/clear-overlay', { runId });
      const groups = rows.groups.map((g) => ({
        ...g,
        cohesion: g.quality?.cohesion ?? null,
        conductance: g.quality?.conductance ?? null,
        evidence: g.quality?.evidence ?? null,
        significant: g.quality?.significant ?? null,
      }));
      if (groups.length > 0) await t.run('curation/apply-groups', { runId, rows: groups });
      if (rows.labels.length > 0) await t.run('curation/apply-labels', { runId, rows: rows.labels });
      await t.run('curation/set-run-curation', { runId, seq, hierarchy: hierarchy ? JSON.stringify(hierarchy) : null });
    };
    if (tx) await work(tx);
    else await this.db.writeTx(work, { deadline: 'batch' }, 'curation/write-overlay');
  }

  writeTx<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    return this.db.writeTx(work, { deadline: 'batch' }, 'a curation change');
  }
}

function lineageOfMetrics(metrics: string | null): Lineage | null {
  if (!metrics) return null;
  const m = JSON.parse(metrics) as { stability?: Lineage };
  return m.stability && Array.isArray(m.stability.segments) ? m.stability : null;
}
