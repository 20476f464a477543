import { z } from 'zod';
import { pageQuery } from '../api/http.js';

/** `<source>:<externalId>` (crm:c-1042, facebook:123) or the service's own user id. */
export const UserRef = z.string().trim().min(1).max(300);

export const UserParams = z.object({ user: UserRef });

export const SegmentAffinitySchema = z
  .object({
    segmentId: z.string(),
    label: z.string(),
    affinity: z.number().describe('Share of the user\'s segmented interest weight in this segment; sums to 1 over segments'),
    lift: z.number().describe('affinity / the segment\'s share over all users (1 = population average)'),
    topics: z.array(z.string()).describe('The user\'s topics that put them in this segment, heaviest first'),
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

export const BatchAffinitiesBody = z
  .object({ users: z.array(UserRef).min(1).max(1000) })
  .strict()
  .openapi('BatchAffinitiesRequest');

export const BatchAffinitiesSchema = z
  .object({ items: z.array(UserAffinitiesSchema), missing: z.array(z.string()) })
  .openapi('BatchAffinities');

export const SegmentParams = z.object({ id: z.string().trim().min(1).max(200) });

export const AudienceQuery = pageQuery.extend({
  minAffinity: z.coerce.number().min(0).max(1).default(0),
  minLift: z.coerce.number().min(0).default(0),
});

export const AudienceCursor = z.object({ a: z.number(), u: z.string() });

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

export const AUDIENCE_CSV_HEADER = 'user,affinity,lift\n';

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

export const RuleSchema: z.ZodType<RuleInput> = z.lazy(() =>
  z.union([
    SegmentLeafSchema,
    PurchasedLeafSchema,
    InterestLeafSchema,
    z.object({ all: z.array(RuleSchema).min(1).max(20) }).strict(),
    z.object({ any: z.array(RuleSchema).min(1).max(20) }).strict(),
    z.object({ not: RuleSchema }).strict(),
  ]),
).openapi('AudienceRule'); // the name lets the OpenAPI document refer to the rule recursively

export const AudienceQueryBody = z
  .object({
    where: RuleSchema.describe(
      'A segment condition {segment, minAffinity?, minLift?}, a purchase {purchased: {withinDays?, topic?, sku?}}, an interest ' +
        '{interest: {topic, minWeight?}}, or {all: [...]}, {any: [...]}, {not: ...} (a negation only beside a positive condition in `all`)',
    ),
    rankBy: z.string().trim().min(1).max(200).optional().describe('Segment whose affinity orders the audience (default: the first in `where`)'),
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(2000).optional(),
  })
  .strict()
  .openapi('AudienceQuery');
