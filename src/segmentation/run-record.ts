// A segmentation run as stored (SegmentRun) and as the repository returns it.

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
/**
 * `segmentation` (absent on older runs): the population's run, everyone, visible once it succeeds (or a candidate);
 * `audience`: one audience's own segmentation (POST /v1/audiences/segmentation), never published, never a candidate,
 * never validated against the visible run (run-validation.ts VALIDATED_KINDS), never part of the population's lineage.
 */
export type RunKind = 'segmentation' | 'audience';

/** Audience runs: exempt from what population runs are held to (coverage against the visible run, lineage, publish). */
export const isAudienceRun = (run: { kind?: RunKind | undefined }): boolean => run.kind === 'audience';

/** Who asked for a run: an API call, the refresh policy's schedule or its drift trigger. */
export type RunTrigger = 'api' | 'schedule' | 'drift';

export interface RunRecord {
  id: string;
  status: RunStatus;
  params: Record<string, unknown>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  metrics?: Record<string, unknown>;
  /** A failed run's figures when it stopped before measuring what `metrics` promises (see toRun). */
  progress?: Record<string, unknown>;
  error?: string;
  phase?: string;
  /** Whether it becomes the visible run when it succeeds (false: a candidate, published by a later call). */
  publish: boolean;
  /** True for the run readers see now. */
  visible: boolean;
  /** When it became visible (absent while it never was). */
  publishedAt?: string;
  /** The visible run its segment ids were matched against (null: it had none), once it has succeeded. */
  basedOn?: string | null;
  trigger: RunTrigger;
  kind: RunKind;
  /** Audience runs: the definition they were queued with (rules, a list, its size). */
  audience?: Record<string, unknown>;
}

/** What an audience run is queued with: its definition (as the API shows it) and its members' user ids. */
export interface AudienceRunInput {
  definition: object;
  userIds: readonly string[];
}

/** A run taken over for cleanup, with the status and phase it had reached and its last heartbeat. */
export type ClaimedForRecovery = {
  id: string;
  status: RunStatus;
  phase: string | null;
  lastBeat: string;
};

export interface RawRun {
  id: string;
  status: RunStatus;
  params: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  metrics: string | null;
  error: string | null;
  phase: string | null;
  publish: boolean | null;
  publishedAt: string | null;
  basedOn: string | null;
  trigger: RunTrigger | null;
  visible: boolean | null;
  kind: RunKind | null;
  audience: string | null;
}

/** What the contract's run metrics always hold (docs/api.md): a run that stopped earlier has not measured them. */
const COMPLETE_METRICS = ['topics', 'edges', 'segments', 'modularity'] as const;

export function toRun(r: RawRun): RunRecord {
  const figures = r.metrics ? (JSON.parse(r.metrics) as Record<string, unknown>) : null;
  const complete = figures !== null && COMPLETE_METRICS.every((k) => typeof figures[k] === 'number');
  return {
    id: r.id,
    status: r.status,
    params: r.params ? (JSON.parse(r.params) as Record<string, unknown>) : {},
    createdAt: r.createdAt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    ...(figures && complete ? { metrics: figures } : {}),
    ...(figures && !complete ? { progress: figures } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.phase && (r.status === 'queued' || r.status === 'running') ? { phase: r.phase } : {}),
    // Runs made before candidates existed were all published when they succeeded.
    publish: r.publish ?? true,
    visible: r.visible === true,
    ...(r.publishedAt ? { publishedAt: r.publishedAt } : {}),
    ...(r.status === 'succeeded' ? { basedOn: r.basedOn ?? null } : {}),
    trigger: r.trigger ?? 'api',
    kind: r.kind ?? 'segmentation',
    ...(r.audience ? { audience: JSON.parse(r.audience) as Record<string, unknown> } : {}),
  };
}
