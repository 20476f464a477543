/**
 * Where a run's projection and community detection happen. SEGMENTATION_ENGINE picks one implementation once, at start
 * (src/segmentation/index.ts): `graphology` (engine-in-process.ts) or `gds` (engine-gds.ts, Neo4j Graph Data Science).
 * Both end in the same steps after detection (segmentDetected in pipeline.ts); the run runner sees only this interface.
 */
import { randomBytes } from 'node:crypto';
import type { Level, PreviousRun, RunParams, SegmentsResult, TopicMeta } from './pipeline.js';
import type { SegmentationRepository } from './repository.js';
import type { RunDecay } from './decay.js';

export type EngineName = 'graphology' | 'gds';

/** What a run hands its engine. */
export interface EngineRun {
  runId: string;
  params: RunParams;
  /** Time decay of interests (half-lives per source, at the run's asOf); null: stored weights as they are. */
  decay: RunDecay | null;
  /** The visible run's segments, for stable ids (read once the data is in, right before detection). */
  previous(): Promise<PreviousRun | null>;
  /** Records the move to detection (a heartbeat with the phase, so recovery knows how far the run got). */
  enterDetect(): Promise<void>;
  /** Progress within the projection (users read so far). */
  progress(done: number): void;
  /** Throws when the run has to stop (shutdown); engines call it between steps and inside their long loops. */
  checkStop(): void;
  /** Topics marketers excluded from segmentation (curation): left out before projection, so they are in no segment. */
  excludedTopics?: ReadonlySet<string>;
  /** An audience run: only these people (user ids) are segmented. */
  users?: readonly string[];
}

export interface Segmented {
  result: SegmentsResult;
  algorithm: 'louvain' | 'leiden';
  projectMs: number;
  detectMs: number;
}

export interface SegmentationEngine {
  readonly name: EngineName;
  /**
   * Throws with a message saying what to do when the database cannot run this engine: the worker calls it at start
   * (refusing to start), every run calls it first (failing with the same message). The GDS version, null in process.
   */
  check(): Promise<string | null>;
  /** Projection, detection and the steps after it, up to segments ready to write. */
  segment(run: EngineRun): Promise<Segmented>;
  /** Frees what a run of a stopped process may hold in the database besides its data (GDS in-memory graphs). */
  dropRunLeftovers(runId: string): Promise<void>;
  /**
   * At worker start: frees such leftovers of every run that is no longer active. `activeRunId` is asked after the
   * leftovers are listed, so a run started meanwhile (not listed) and a live instance's run (spared) are safe.
   */
  dropLeftovers(activeRunId: () => Promise<string | undefined>): Promise<string[]>;
}

/** Names and categories of the wanted topics, for labels. */
export async function topicMeta(repo: SegmentationRepository, wanted: (id: string) => boolean): Promise<Map<string, TopicMeta>> {
  const meta = new Map<string, TopicMeta>();
  await repo.streamTopics((t) => {
    if (wanted(t.id)) meta.set(t.id, { name: t.name, category: t.category });
  });
  return meta;
}

/** Short, URL-safe, and different per level so coarse and fine segments never share an id. */
export function newSegmentId(level: Level): string {
  return `${level === 'coarse' ? 'seg' : 'sub'}_${randomBytes(6).toString('hex')}`;
}
