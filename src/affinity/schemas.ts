import { z } from 'zod';
import { pageQuery, queryDecimal } from '../api/http.js';
import { UserRef } from '../users/user-schemas.js';
import { MAX_RULE_DEPTH, MAX_RULE_LEAVES, ruleBounds } from './rules.js';

export const SegmentAffinitySchema = z
  .object({
    segmentId: z.string(),
    label: z.string(),
    affinity: z.number().describe("Share of the user's segmented interest weight in this segment; sums to 1 over segments"),
    lift: z.number().describe("affinity / the segment's share over all users (1 = population average)"),
    topics: z.array(z.string()).describe("The user's topics that put them in this segment, heaviest first"),
  })
  .openapi('SegmentAffinity');

export const SuggestedTopicSchema = z
  .object({ id: z.string(), name: z.string(), score: z.number().describe('0..1, from the co-interest graph') })
  .openapi('SuggestedTopic');

export const UserAffinitiesSchema = z
  .object({
    user: z.string().describe('The address the caller used'),
    runId: z.string().nullable().describe('Segmentation run the affinities follow (null before the first run)'),
    segments: z.array(SegmentAffinitySchema).describe('Sorted by affinity, descending; empty without segmented interest'),
    suggestedTopics: z.array(SuggestedTopicSchema),
  })
  .openapi('UserAffinities');

const asOfField = z.iso
  .datetime({ offset: true })
  .optional()
  .describe(
    'Extension: when the visible run decays interests (its halfLifeDays), the moment they decay to, for reproducible ' +
      'answers (default now). Without a half-life it changes nothing',
  );

/** `?asOf=` of a segment of one. */
export const AsOfQuery = z.object({ asOf: asOfField });

export const BatchAffinitiesBody = z
  .object({
    users: z
      .array(UserRef)
      .min(1)
      .max(1000)
      .describe('Up to 1000 references; answered in this order, a reference repeated (after trimming) answered once'),
    asOf: asOfField,
  })
  .strict()
  .openapi('BatchAffinitiesRequest');

export const BatchAffinitiesSchema = z
  .object({ items: z.array(UserAffinitiesSchema), missing: z.array(z.string()) })
  .openapi('BatchAffinities');

export const SegmentParams = z.object({ id: z.string().trim().min(1).max(200) });

export const AudienceQuery = pageQuery.extend({
  minAffinity: queryDecimal(0, 1, 0).describe('Only users with at least this affinity (0..1, default 0)'),
  minLift: queryDecimal(0, undefined, 0).describe('Only users with at least this lift (default 0)'),
});

/**
 * Keyset position (affinity, user id) and the run it belongs to: after a newer run the same position means another
 * list (409 cursor-stale). `r` is null before the first run.
 */
export const AudienceCursor = z.object({ a: z.number(), u: z.string(), r: z.string().nullable() });

export const AudienceMemberSchema = z
  .object({
    user: z.string().describe('crm: identity when there is one, else facebook:, else the user id'),
    affinity: z.number(),
    lift: z.number(),
  })
  .openapi('AudienceMember');

export const AudiencePageSchema = z
  .object({
    items: z.array(AudienceMemberSchema),
    nextCursor: z.string().optional(),
    total: z.number().int().optional().openapi({ description: 'Extension: the size of the whole audience (first page only)' }),
  })
  .openapi('AudiencePage');

export const AUDIENCE_CSV_COLUMNS = ['user', 'affinity', 'lift'] as const;

export const AudienceCsvSchema = z.string().openapi('AudienceCsv', {
  description:
    'RFC 4180 CSV, CRLF line ends: header `user,affinity,lift`, then one line per member in the JSON order. Fields with ' +
    "a comma, quote or line break are quoted; text starting with = + - @ TAB or CR gets a leading `'` (no formulas " +
    'in spreadsheets).',
  example: 'user,affinity,lift\r\ncrm:c-1042,0.62,3.1\r\n',
});

// ---- audience rules (extension: POST /v1/audiences/query) ---------------------------------------------------------

const SegmentLeafSchema = z
  .object({
    segment: z.string().trim().min(1).max(200),
    minAffinity: z.number().min(0).max(1).optional(),
    minLift: z.number().min(0).optional(),
  })
  .strict();
const PurchasedLeafSchema = z
  .object({
    purchased: z
      .object({
        withinDays: z.number().int().min(1).max(36500).optional(),
        topic: z.string().trim().min(1).max(200).optional().describe('Purchase category (a topic), by name'),
        sku: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
  })
  .strict();
const InterestLeafSchema = z
  .object({
    interest: z.object({ topic: z.string().trim().min(1).max(200), minWeight: z.number().min(0).optional() }).strict(),
  })
  .strict();

export type RuleInput =
  | z.infer<typeof SegmentLeafSchema>
  | z.infer<typeof PurchasedLeafSchema>
  | z.infer<typeof InterestLeafSchema>
  | { all: RuleInput[] }
  | { any: RuleInput[] }
  | { not: RuleInput };

export const RuleSchema: z.ZodType<RuleInput> = z
  .lazy(() =>
    z.union([
      SegmentLeafSchema,
      PurchasedLeafSchema,
      InterestLeafSchema,
      z.object({ all: z.array(RuleSchema).min(1).max(20) }).strict(),
      z.object({ any: z.array(RuleSchema).min(1).max(20) }).strict(),
      z.object({ not: RuleSchema }).strict(),
    ]),
  )
  .openapi('AudienceRule'); // the name lets the OpenAPI document refer to the rule recursively

/** The size bounds run first: the recursive schema never sees an input deep enough to exhaust the stack. */
export const BoundedRule = z.preprocess((value, ctx) => {
  for (const issue of ruleBounds(value, '')) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.split('.').filter(Boolean), input: value });
  }
  return value;
}, RuleSchema);

/** The segment whose affinity orders a rule audience. */
export const RankBy = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .describe('Segment whose affinity orders the audience (default: the first in `where`)');

export const AudienceQueryBody = z
  .object({
    where: BoundedRule.describe(
      'A segment condition {segment, minAffinity?, minLift?}, a purchase {purchased: {withinDays?, topic?, sku?}}, an interest ' +
        '{interest: {topic, minWeight?}}, or {all: [...]}, {any: [...]}, {not: ...} (a negation only beside a positive condition in `all`). ' +
        `At most ${MAX_RULE_DEPTH} levels deep (a lone condition is 1) and ${MAX_RULE_LEAVES} conditions in all; larger rules: 400`,
    ),
    rankBy: RankBy,
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('AudienceQuery');
