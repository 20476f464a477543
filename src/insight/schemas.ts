import { z } from 'zod';
import { queryDecimal, queryInt } from '../api/http.js';
import { AudienceMemberSchema, BoundedRule, RankBy } from '../affinity/schemas.js';

// ---- audience definitions -------------------------------------------------------------------------------------

const SegmentAudienceSchema = z
  .object({
    segment: z.string().trim().min(1).max(200).describe('A coarse segment of the visible run'),
    minAffinity: z.number().min(0).max(1).optional().describe('Members with at least this affinity (default 0)'),
    minLift: z.number().min(0).optional().describe('Members with at least this lift (default 0)'),
  })
  .strict();

const RuleAudienceSchema = z
  .object({
    where: BoundedRule.describe('Rules as in POST /v1/audiences/query'),
    rankBy: RankBy,
  })
  .strict();

export const AudienceDefinitionSchema = z.union([SegmentAudienceSchema, RuleAudienceSchema]).openapi('AudienceDefinition', {
  description:
    "A segment's members at thresholds `{segment, minAffinity?, minLift?}` (as GET /v1/segments/:id/audience), or the " +
    'people matching rules `{where, rankBy?}` (as POST /v1/audiences/query)',
});

// ---- insight ---------------------------------------------------------------------------------------------------

/** A whole number in a query string that has no default (absent or empty: not given). */
const optionalQueryInt = (min: number, max: number) =>
  z
    .preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^[0-9]{1,15}$/, 'must be a whole number in decimal digits')
        .optional(),
    )
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(min).max(max).optional())
    .openapi({ type: 'integer', minimum: min, maximum: max });

const insightSizes = {
  minSupport: 'Members who must hold a topic (or category) for it to be listed (default: 1% of the profiled members, at least 3)',
  topics: 'Over-indexed topics listed (default 20)',
  categories: 'Categories listed (default 10)',
  people: 'Highest-affinity people listed (default 10; 0 for none)',
};

export const SegmentInsightQuery = z.object({
  minAffinity: queryDecimal(0, 1, 0).describe('Members with at least this affinity (0..1, default 0: everyone with an interest in it)'),
  minLift: queryDecimal(0, undefined, 0).describe('Members with at least this lift (default 0)'),
  minSupport: optionalQueryInt(1, 1_000_000_000).describe(insightSizes.minSupport),
  topics: queryInt(1, 100, 20).describe(insightSizes.topics),
  categories: queryInt(1, 50, 10).describe(insightSizes.categories),
  people: queryInt(0, 100, 10).describe(insightSizes.people),
});

export const AudienceInsightBody = z
  .object({
    audience: AudienceDefinitionSchema,
    minSupport: z.number().int().min(1).max(1_000_000_000).optional().describe(insightSizes.minSupport),
    topics: z.number().int().min(1).max(100).default(20).describe(insightSizes.topics),
    categories: z.number().int().min(1).max(50).default(10).describe(insightSizes.categories),
    people: z.number().int().min(0).max(100).default(10).describe(insightSizes.people),
  })
  .strict()
  .openapi('AudienceInsightRequest');

const liftFields = {
  members: z.number().int().describe('Profiled members holding it'),
  memberShare: z.number().describe('members / profiled members'),
  holders: z.number().int().describe('People of the population holding it'),
  holderShare: z.number().describe('holders / population'),
  lift: z.number().describe('memberShare / holderShare: 1 = as common as in the population, 3 = three times as common'),
};

export const TopicLiftSchema = z
  .object({ id: z.string(), name: z.string(), category: z.string().nullable(), ...liftFields })
  .openapi('TopicLift');

export const CategoryLiftSchema = z.object({ name: z.string(), ...liftFields }).openapi('CategoryLift');

export const SegmentChangeSchema = z
  .object({
    previousRunId: z.string().nullable(),
    status: z.enum(['first-run', 'kept', 'new']).describe('`kept`: it carries the id of a previous segment; `new`: none matches it'),
    previousId: z.string().nullable(),
    topicOverlap: z.number().nullable().describe('Jaccard overlap of its topics with the previous segment of the same id'),
    splitFrom: z.array(z.object({ id: z.string(), label: z.string().nullable(), into: z.array(z.string()) })),
    mergedFrom: z.array(z.object({ id: z.string(), label: z.string().nullable() })),
    previous: z.object({ label: z.string(), userCount: z.number().int(), topicCount: z.number().int() }).nullable(),
    userCount: z.number().int().nullable().describe('People with an interest in it when this run was computed'),
    userCountChange: z.number().int().nullable().describe("userCount minus the previous segment's"),
  })
  .openapi('SegmentChange');

export const InsightSchema = z
  .object({
    runId: z.string(),
    audience: AudienceDefinitionSchema,
    segment: z
      .object({
        id: z.string(),
        label: z.string(),
        share: z.number().describe("The run's share of the segment (the lift baseline of segments of one)"),
        userCount: z.number().int().nullable(),
        topicCount: z.number().int().nullable(),
      })
      .nullable()
      .describe('For a segment audience: the segment as the run recorded it'),
    size: z.number().int().describe('People in the audience now'),
    profiled: z.number().int().describe('Of them, people of the population (consenting, with segmented interest): the base of memberShare'),
    population: z.number().int().describe("Consenting people with an interest in a segment of the run (the base of the run's shares)"),
    populationShare: z.number().describe('profiled / population'),
    minSupport: z.number().int().describe('The minimum support applied'),
    label: z.string().describe('A label from the most over-indexed topics'),
    topics: z.array(TopicLiftSchema).describe('Topics with lift > 1 and enough support, by lift descending'),
    categories: z
      .array(CategoryLiftSchema)
      .describe('Categories with enough support, by lift descending (a person holds a category when they hold one of its topics)'),
    topPeople: z.array(AudienceMemberSchema).describe("Highest affinity first (to the segment, or to the rules' ranking segment)"),
    change: SegmentChangeSchema.nullable().describe('For a segment: how it changed since the previous run'),
  })
  .openapi('Insight');

// ---- comparison ------------------------------------------------------------------------------------------------

export const CompareBody = z
  .object({
    a: AudienceDefinitionSchema,
    b: AudienceDefinitionSchema,
    minSupport: z
      .number()
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .describe("Members of the side a topic over-indexes in who must hold it (default: 1% of that side's profiled members, at least 3)"),
    topics: z.number().int().min(1).max(100).default(20).describe('Topics listed per side (default 20)'),
    categories: z.number().int().min(1).max(50).default(10).describe('Categories listed per side (default 10)'),
  })
  .strict()
  .openapi('CompareRequest');

const sideFigures = z.object({
  members: z.number().int().describe('Profiled members holding it'),
  share: z.number().describe('members / profiled members'),
});
const sideBySide = {
  a: sideFigures.describe('In audience a'),
  b: sideFigures.describe('In audience b'),
  lift: z
    .number()
    .describe(
      'Its share in the audience it over-indexes in / its share in the other (the other counting half a person when nobody there holds it)',
    ),
};
const ComparedAudienceSchema = z.object({
  audience: AudienceDefinitionSchema,
  label: z.string(),
  size: z.number().int(),
  profiled: z.number().int().describe('Members who are in the population (the base of shares)'),
  populationShare: z.number(),
});

export const ComparisonSchema = z
  .object({
    runId: z.string(),
    population: z.number().int(),
    a: ComparedAudienceSchema,
    b: ComparedAudienceSchema,
    overlap: z.object({
      people: z.number().int().describe('People in both audiences'),
      jaccard: z.number().describe('people / people in either'),
      shareOfA: z.number().describe('people / size of a'),
      shareOfB: z.number().describe('people / size of b'),
    }),
    minSupport: z.object({ a: z.number().int(), b: z.number().int() }),
    topicsA: z
      .array(z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), ...sideBySide }))
      .describe('Topics over-indexing in a against b, by lift descending'),
    topicsB: z
      .array(z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), ...sideBySide }))
      .describe('Topics over-indexing in b against a'),
    categoriesA: z.array(z.object({ name: z.string(), ...sideBySide })),
    categoriesB: z.array(z.object({ name: z.string(), ...sideBySide })),
  })
  .openapi('Comparison');
