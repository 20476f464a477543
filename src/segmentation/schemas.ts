import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { SegmentCurationSchema } from '../curation/schemas.js';

const halfLife = z.number().gt(0).max(36_500);
export const HalfLifeDaysSchema = z
  .object({ crm: halfLife.optional(), facebook: halfLife.optional(), events: halfLife.optional(), purchase: halfLife.optional() })
  .strict()
  .openapi('InterestHalfLifeDays');

/**
 * Bounds that keep any run within minutes at 100k people (measured with scripts/bench-run-bounds.ts, docs/benchmarks.md):
 * beyond them a run costs many times the defaults' time and memory (neighbours, maxTopicsPerUser), writes and serves
 * more RELATED edges than a segment of one can use (relatedPerTopic), or means nothing (a resolution of 1e-300, a
 * minimum segment size larger than the communities). A run inside them can still find nothing (minSupport 1000000):
 * it then fails validation (run-validation.ts) instead of going live.
 */
export const RUN_BOUNDS = {
  resolution: { min: 0.01, max: 10 },
  maxTopicsPerUser: { min: 2, max: 500 },
  minSegmentSize: { min: 1, max: 100 },
  neighbours: { min: 1, max: 100 },
  relatedPerTopic: { min: 0, max: 30 },
} as const;

/** A bounded run parameter: its range is stated in its description (and so in the OpenAPI document). */
function bounded(name: keyof typeof RUN_BOUNDS, what: string, fallback: number, int = true) {
  const { min, max } = RUN_BOUNDS[name];
  const n = int ? z.number().int() : z.number();
  return n.min(min).max(max).optional().describe(`${what} (default ${fallback}; ${min}..${max})`);
}

export const RunParamsBody = z
  .object({
    resolution: bounded('resolution', 'Louvain resolution; higher gives more, smaller segments', 1, false),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .describe("Seed of Louvain's random traversal (default 42)"),
    weighting: z.enum(['count', 'cosine', 'jaccard', 'npmi']).optional().describe('Topic–topic edge weight (default npmi)'),
    minSupport: z.number().int().min(1).max(1_000_000).optional().describe('Minimum users behind an edge and a topic (default 2)'),
    maxTopicsPerUser: bounded('maxTopicsPerUser', 'Per-user cap: only the heaviest interests count', 50),
    minSegmentSize: bounded('minSegmentSize', 'Smaller communities are folded into a neighbour or "Other interests"', 3),
    neighbours: bounded('neighbours', 'k of the k-nearest-neighbour sparsification before Louvain', 30),
    relatedPerTopic: bounded('relatedPerTopic', 'RELATED neighbours kept per topic', 10),
    coreSupport: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe('Users a topic needs to take part in community detection; rarer topics are placed where their people sit (default 5)'),
    publish: z
      .boolean()
      .optional()
      .describe(
        'Extension. true (default): the run becomes the visible run when it succeeds. false: a candidate, visible to no reader ' +
          'until POST /v1/segmentation/runs/{id}/publish; compare it first with GET /v1/segmentation/runs/{id}/compare',
      ),
    halfLifeDays: HalfLifeDaysSchema.optional().describe(
      'Extension: time-decayed interests. Per source, the days after which an interest (by its lastSeen) weighs half; ' +
        'applied in the projection at `asOf` and in every segment of one read from this run. Absent: no decay',
    ),
    asOf: z.iso
      .datetime({ offset: true })
      .optional()
      .describe("Extension: the moment the run's projection decays interests to (default: when the run is queued); only with halfLifeDays"),
  })
  .strict()
  .openapi('SegmentationRunParams');

export const RunStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed']).openapi('SegmentationRunStatus');

export const RunAcceptedSchema = z.object({ id: z.string(), status: RunStatusSchema }).openapi('SegmentationRunAccepted');

export const StabilitySchema = z
  .object({
    previousRunId: z.string().nullable(),
    nmi: z.number().nullable().describe('NMI between this run and the previous one over the topics both segmented'),
    sharedTopics: z.number().int(),
    segments: z.array(z.object({ id: z.string(), overlap: z.number(), previousId: z.string().nullable() })),
    split: z.array(z.object({ id: z.string(), into: z.array(z.string()) })),
    merged: z.array(z.object({ id: z.string(), from: z.array(z.string()) })),
    appeared: z.array(z.string()),
    vanished: z.array(z.string()),
    restored: z
      .array(z.string())
      .optional()
      .describe('Ids the previous run did not have, found again in an older run that was visible before it (the lineage of visible runs)'),
  })
  .openapi('SegmentationStability');

export const RunMetricsSchema = z
  .object({
    topics: z.number().int(),
    edges: z.number().int(),
    segments: z.number().int(),
    modularity: z.number(),
    durationMs: z.number(),
    fineSegments: z.number().int().optional(),
    levels: z.number().int().optional(),
    users: z.number().int().optional(),
    segmentedUsers: z
      .number()
      .int()
      .optional()
      .describe('Of `users`, those holding a topic in a coarse segment: whose segment of one the run does not leave empty'),
    engine: z.string().optional(),
    phases: z
      .object({
        projectMs: z.number(),
        detectMs: z.number(),
        writeMs: z.number(),
        affinityMs: z.number().describe('Runs before affinities were computed on read only'),
      })
      .partial()
      .optional(),
    stability: StabilitySchema.optional(),
    stabilityFine: StabilitySchema.optional(),
    significantSegments: z
      .number()
      .int()
      .optional()
      .describe('Coarse segments significant against the null model of independent interests ("Other interests" excluded)'),
    seedNmi: z
      .number()
      .nullable()
      .optional()
      .describe('NMI between the coarse segments and those the same run finds with another seed (null: not measured, GDS engine)'),
    natural: z
      .object({
        coreTopics: z.number().int().describe('Topics that took part in community detection'),
        coreSupport: z.number().int().describe('Users each of them needed'),
        pieces: z.number().int().describe('Communities after splitting each Louvain community on its own edges'),
        merged: z.number().int().describe('Communities after merging the pieces people hold together'),
        timings: z.record(z.string(), z.number()),
      })
      .optional()
      .describe('In-process engine: how the natural segments were reached'),
  })
  .passthrough()
  .openapi('SegmentationRunMetrics');

export const RunSchema = z
  .object({
    id: z.string(),
    status: RunStatusSchema,
    params: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    startedAt: z.string().nullable().describe('null while the run is queued'),
    finishedAt: z.string().optional(),
    phase: z.string().optional().describe('Current phase while queued/running'),
    metrics: RunMetricsSchema.optional(),
    progress: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Extension, failed runs: what the run had measured when it stopped (phases, durationMs; a rejected run also segments, users, segmentedUsers), in place of `metrics`',
      ),
    error: z.string().optional(),
    publish: z.boolean().describe('Extension: whether the run becomes visible when it succeeds (false: a candidate)'),
    visible: z.boolean().describe('Extension: true for the visible run, the one segments, affinities and audiences follow'),
    publishedAt: z.string().optional().describe('Extension: when it became the visible run'),
    basedOn: z
      .string()
      .nullable()
      .optional()
      .describe('Extension, succeeded runs: the visible run its segment ids were matched against (null: there was none)'),
    trigger: z
      .enum(['api', 'schedule', 'drift'])
      .describe('Extension: who started it (an API call, the refresh schedule, the drift trigger)'),
    kind: z
      .enum(['segmentation', 'audience'])
      .describe(
        "Extension: `audience` for an audience's own segmentation (POST /v1/audiences/segmentation), never published nor listed here",
      ),
    audience: z.record(z.string(), z.unknown()).optional().describe('Extension, audience runs: the definition they were queued with'),
  })
  .openapi('SegmentationRun');

const ChangeSchema = z.object({
  nmi: z.number().nullable().describe('NMI of the two partitions over the topics both runs segmented (null: nothing to compare)'),
  sharedTopics: z.number().int(),
  split: z
    .array(z.object({ id: z.string(), into: z.array(z.string()) }))
    .describe('Visible segments whose topics spread over several of this run'),
  merged: z
    .array(z.object({ id: z.string(), from: z.array(z.string()) }))
    .describe('Segments of this run that took in several visible ones'),
  appeared: z.array(z.string()).describe('Segment ids of this run the visible run does not have'),
  vanished: z.array(z.string()).describe('Segment ids of the visible run this run does not have'),
});

export const RunComparisonSchema = ChangeSchema.extend({
  runId: z.string(),
  visibleRunId: z.string().nullable().describe('The run compared with: the visible run (null before the first)'),
  publishable: z
    .boolean()
    .describe('Whether POST …/publish would make it visible now: its segment ids were matched against the visible run'),
  people: z
    .object({
      compared: z.number().int().describe('Consenting people, each scored under both runs with their interests as they are now'),
      dominantChanged: z.number().int().describe('People whose dominant segment (the first of their segment of one) would change'),
    })
    .describe('Computed from the population an API process holds in memory'),
  fine: ChangeSchema.describe('The same for fine segments'),
}).openapi('SegmentationRunComparison');

/** Keyset position in the run list: createdAt in ms and id of the last run of the previous page. */
export const RunCursor = z.object({ t: z.number().int(), i: z.string() });

export const RunListSchema = z.object({ items: z.array(RunSchema), nextCursor: z.string().optional() }).openapi('SegmentationRunList');

export const IdParams = z.object({ id: z.string().min(1).max(200) });

const TopicRef = z.object({ id: z.string(), name: z.string() }).openapi('TopicRef');

export const SegmentQualitySchema = z
  .object({
    cohesion: z
      .number()
      .describe(
        'Lift of the segment with itself: how many times more often than chance a person holding one of its topics holds another (1 = chance)',
      ),
    conductance: z.number().describe("Share of the segment's co-interest that leaves it (0 = closed, 1 = no different from the rest)"),
    evidence: z.number().describe('Log-likelihood ratio of its co-interest against the null model where people pick topics independently'),
    significant: z
      .boolean()
      .describe('Evidence beyond a Bonferroni bound over every pair of topics, and cohesion ≥ 1.5; never for "Other interests"'),
    seedStability: z
      .number()
      .nullable()
      .describe('Jaccard overlap with the best-matching segment when the run is repeated with another seed (null: not measured)'),
  })
  .openapi('SegmentQuality');

export const SegmentSchema = z
  .object({
    id: z.string().describe('Stable across runs while the segment keeps most of its topics'),
    label: z.string(),
    topicCount: z.number().int(),
    userCount: z.number().int().describe('Consenting users with at least one interest in the segment'),
    topTopics: z.array(TopicRef),
    level: z.enum(['coarse', 'fine']),
    share: z.number().describe('Mean affinity of segmented users to the segment (lift baseline); sums to 1 per level'),
    parentId: z.string().nullable().describe('For fine segments: the coarse segment holding most of its topics'),
    other: z.boolean().describe('The "Other interests" bucket of topics with no evidence of where they belong'),
    quality: SegmentQualitySchema.nullable().describe('null for segments of runs made before quality was measured'),
    curation: SegmentCurationSchema.nullable().describe(
      "What marketers' curation made of it (name, merge, granularity); null when nothing",
    ),
  })
  .openapi('Segment');

export const SegmentListQuery = pageQuery.extend({
  level: z.enum(['coarse', 'fine']).default('coarse').describe('Coarse (default) or fine segments'),
});

export const SegmentListSchema = z
  .object({ runId: z.string().nullable(), items: z.array(SegmentSchema), nextCursor: z.string().optional() })
  .openapi('SegmentList');

export const SegmentDetailSchema = SegmentSchema.extend({ runId: z.string(), metrics: RunMetricsSchema }).openapi('SegmentDetail');

export const TopicGraphSchema = z
  .object({
    runId: z.string().nullable(),
    nodes: z.array(
      z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), segmentId: z.string(), score: z.number() }),
    ),
    edges: z.array(z.object({ source: z.string(), target: z.string(), weight: z.number() })),
  })
  .openapi('TopicGraph', {
    description: 'Extension: every topic of the visible run with its coarse segment, and its co-interest links, in one answer',
  });

export const SegmentTopicListSchema = z
  .object({
    items: z.array(z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), score: z.number() })),
    nextCursor: z.string().optional(),
  })
  .openapi('SegmentTopicList');
