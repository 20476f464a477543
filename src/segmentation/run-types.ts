/** What a run takes and gives, shared by the in-process pipeline (pipeline.ts), the GDS engine and segment-detected.ts. */
import type { Detection, WeightedEdges } from './communities.js';
import type { CommunityQuality } from './quality.js';
import type { Weighting } from './projection.js';
import type { SegmentTopics, Stability } from './stability.js';
import type { Hierarchy } from './hierarchy.js';

export type Level = 'coarse' | 'fine';

export interface RunParams {
  resolution: number;
  seed: number;
  weighting: Weighting;
  minSupport: number;
  maxTopicsPerUser: number;
  /** Communities with fewer topics are folded into their best-connected neighbour (or "Other interests"). */
  minSegmentSize: number;
  /** k of the k-nearest-neighbour sparsification before Louvain (0 = use every edge). */
  neighbours: number;
  /** RELATED edges written per topic. */
  relatedPerTopic: number;
  /**
   * Users a topic needs to take part in community detection: at most this, one per thousand people when that is less,
   * never below minSupport, and raised when more than MAX_CORE_TOPICS topics reach it. Rarer topics are placed
   * afterwards where their people sit (natural.ts).
   */
  coreSupport: number;
}

/** Detection (pair counting, Louvain) sees at most this many topics, the most held: what keeps 1M-topic tails linear. */
export const MAX_CORE_TOPICS = 50_000;

/**
 * Detection (pair counting, Louvain, split, merge, both seeds) reads at most this many people, a uniform sample of
 * everyone above it: co-interest statistics have converged long before (bench-quality at 300k and 1M), and what
 * grows with people stays in the passes that must see everyone (placement of the topics detection did not see,
 * sizes, shares, quality). The cost of a run is then flat in people for detection and linear only in those passes.
 */
export const DETECTION_SAMPLE = 200_000;

export const DEFAULT_PARAMS: RunParams = {
  resolution: 1,
  seed: 42,
  weighting: 'npmi',
  minSupport: 2,
  maxTopicsPerUser: 50,
  minSegmentSize: 3,
  neighbours: 30,
  relatedPerTopic: 10,
  coreSupport: 5,
};

export interface TopicMeta {
  name: string;
  category?: string | null;
}

export interface SegmentOut {
  id: string;
  level: Level;
  label: string;
  other: boolean;
  topicCount: number;
  userCount: number;
  /** Mean affinity of segmented users to this segment (the lift baseline); sums to 1 over a level. */
  share: number;
  parentId: string | null;
  topTopics: Array<{ id: string; name: string }>;
  topics: Array<{ id: string; score: number }>;
  quality: SegmentQuality | null;
}

/** quality.ts: cohesion (lift with itself), conductance, evidence against the null model, and agreement across seeds. */
export interface SegmentQuality extends CommunityQuality {
  /** Jaccard overlap with the best-matching segment of the same run repeated with another seed (null: not measured). */
  seedStability: number | null;
}

export interface PreviousRun {
  runId: string;
  segments: Array<SegmentTopics & { level: Level }>;
  /**
   * Topics marketers pinned to a coarse segment of this run (curation): the new run puts each in the segment that
   * descends from it (the same id, or the part of a split that kept it, else the first part).
   */
  pins?: ReadonlyArray<{ topicId: string; segmentId: string }>;
  /**
   * The runs that were visible before it (published through the VisibleRun pointer; never unpublished candidates),
   * newest first, those that still have their segments: ids the visible run lost are looked for there, so one odd run
   * cannot reset every id (stability.ts matchLineage).
   */
  older?: ReadonlyArray<{ runId: string; segments: Array<SegmentTopics & { level: Level }> }>;
}

/** Figures of a group of coarse segments measured as one (curation merges), as the run measures its segments. */
export interface GroupFigures {
  userCount: number;
  share: number;
  quality: SegmentQuality | null;
}

export interface PipelineResult {
  segments: SegmentOut[];
  related: Array<{ from: string; to: string; weight: number }>;
  stability: { coarse: Stability; fine: Stability };
  modularity: number;
  levels: number;
  /** Topics that took part (support ≥ minSupport). */
  topics: number;
  /** Co-interest edges the run saw: every projected edge in process, the kept ones from the GDS engine. */
  edges: number;
  users: number;
  /** Users with interest in a coarse segment: those whose segment of one this run does not leave empty. */
  segmentedUsers: number;
  /** Coarse segments that are significant ("Other interests" excluded). */
  significantSegments: number;
  /** NMI between the coarse partition and the one the run finds with another seed (null: not measured). */
  seedNmi: number | null;
  /** In process: topics in detection, the support they needed, and the natural steps' counts and timings. */
  natural?: {
    coreTopics: number;
    coreSupport: number;
    pieces: number;
    merged: number;
    timings: { splitMs: number; mergeMs: number; placeMs: number; seedMs: number; hierarchyMs?: number };
  };
  timings: { projectMs: number; detectMs: number };
  /** In process: the coarse segments as a hierarchy a granularity cuts (hierarchy.ts). */
  hierarchy?: Hierarchy;
  /** Measures groups of coarse segments (by id) as single segments, with the run's people (merges of curation). */
  groupStats(groups: ReadonlyArray<readonly string[]>): Promise<GroupFigures[]>;
}

/** Random graphs a fine split must beat (a permutation test at the 10% level; see refineCommunities). */
export const FINE_NULL_SAMPLES = 9;

/** A level's audience: users with an interest in each community, and each community's mean share of interest weight. */
export interface CommunityAudience {
  /** Consenting users with at least one interest in the community. */
  users: Map<number, number>;
  /** Mean over segmented users of the community's share of their interest weight (sums to 1 over a level). */
  share: Map<number, number>;
  /** Users with at least one interest in any community of the level (the ones a segment of one is not empty for). */
  segmented: number;
}

/**
 * How a level's audience is measured: in process from the streamed interests, or in the database (GDS engine,
 * src/segmentation/gds.ts segmentAudience) where the interests never leave Neo4j. `membership` is per topic index;
 * OUTSIDE topics are in no community.
 */
export type AudienceStep = (level: Level, membership: Int32Array, communities: number[]) => CommunityAudience | Promise<CommunityAudience>;

/**
 * What community detection hands to the rest of a run, whichever engine produced it. Every per-topic array is indexed
 * like `topicIds`, which is sorted by id (so ids, labels and tie-breaks do not depend on the order data arrived in).
 */
export interface DetectedGraph {
  topicIds: readonly string[];
  /** Users behind each topic (after the per-user cap). */
  support: ArrayLike<number>;
  /** Topics that take part (support ≥ minSupport); the others are OUTSIDE every segment. */
  active: ArrayLike<number>;
  /** Consenting users with at least one interest. */
  users: number;
  /**
   * Co-interest edges for tiny-community grouping, centrality (labels) and RELATED: every projected edge in process;
   * the GDS engine only returns the kept (k-nearest-neighbour) ones.
   */
  edges: WeightedEdges;
  /** The edges communities were detected on (the kept ones): the fine split and the reported modularity use these. */
  detectionEdges: WeightedEdges;
  detection: Detection;
  /**
   * In process: the natural segments of every topic (natural.ts) and the same run's partition with another seed; the
   * coarse level is then these, not `detection` with its tiny communities grouped.
   */
  natural?: { membership: Int32Array; seedMembership: Int32Array | null };
}

/**
 * How a level's per-segment quality is measured (quality.ts): from the people in process, in the database for the GDS
 * engine. `membership` maps topics to 0..count-1 (negative: none).
 */
export type QualityStep = (membership: Int32Array, count: number) => CommunityQuality[] | Promise<CommunityQuality[]>;

export type SegmentsResult = Omit<PipelineResult, 'timings'>;
