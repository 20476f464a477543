import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { cleanString } from '../api/text.js';
import { BoundedRule } from '../affinity/schemas.js';
import { UserRef } from '../users/user-schemas.js';

const Name = cleanString().trim().min(1).max(200);
const Id = z.string().trim().min(1).max(100);
const Time = z.string().describe('ISO 8601');

export const AudienceParams = z.object({ id: Id });
export const DestinationParams = z.object({ id: Id, destinationId: Id });

export const MAX_HOLDOUT_PERCENT = 50;

const Where = BoundedRule.describe(
  'The rule, as POST /v1/audiences/query takes it: segment conditions (top-level segments of the visible run), purchases, ' +
    'interests, combined with all/any/not',
);

export const CreateAudienceBody = z
  .object({
    name: Name,
    where: Where,
    holdoutPercent: z
      .number()
      .min(0)
      .max(MAX_HOLDOUT_PERCENT)
      .default(0)
      .describe(
        'Share of members (keyed hash of the user id) left out of every export and delivery, for the outcome report; fixed once created',
      ),
  })
  .strict()
  .openapi('CreateSavedAudience');

export const UpdateAudienceBody = z
  .object({ name: Name.optional(), where: Where.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.where !== undefined, { message: 'give `name`, `where` or both', path: [] })
  .openapi('UpdateSavedAudience');

export const SavedAudienceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    where: z.unknown().describe('The rule (see AudienceRule)'),
    holdoutPercent: z.number(),
    createdAt: Time,
    updatedAt: Time,
    members: z.number().int().describe('Current members outside the holdout: what exports and destinations get'),
    holdout: z.number().int().describe('Current members in the holdout (never exported)'),
    evaluation: z
      .object({
        status: z.enum(['pending', 'current']).describe('`pending` until the evaluator has applied the latest definition'),
        version: z.number().int(),
        runId: z.string().nullable().describe('The visible run it was evaluated against (null: no run, or not yet evaluated)'),
        evaluatedAt: Time.nullable(),
      })
      .openapi('SavedAudienceEvaluation'),
    firstExportedAt: Time.nullable().describe('The outcome report counts purchases after this by default'),
    lastExportedAt: Time.nullable(),
    exports: z.number().int(),
    destinations: z.number().int(),
  })
  .openapi('SavedAudience');

export const SavedAudienceListSchema = z
  .object({ items: z.array(SavedAudienceSchema), nextCursor: z.string().optional() })
  .openapi('SavedAudienceList');

export const MemberPageSchema = z
  .object({
    items: z.array(
      z
        .object({
          user: z.string().describe('crm: identity when there is one, else facebook:, else the user id'),
          userId: z.string(),
          enteredAt: Time,
        })
        .openapi('SavedAudienceMember'),
    ),
    nextCursor: z.string().optional(),
  })
  .openapi('SavedAudienceMemberPage');

export const MEMBER_CSV_COLUMNS = ['user', 'enteredAt'] as const;

export const MemberCsvSchema = z.string().openapi('SavedAudienceCsv', {
  description: 'RFC 4180 CSV as the audience exports (src/api/csv.ts): header `user,enteredAt`, one line per member outside the holdout',
  example: 'user,enteredAt\r\ncrm:c-1042,2026-11-28T10:00:00.000Z\r\n',
});

/** Keyset position in the member list (the last user id of the page). */
export const MemberCursor = z.object({ u: z.string() });

export const HistoryQuery = pageQuery.extend({ user: UserRef.optional().describe("Only this person's stints") });
export const HistoryCursor = z.object({ u: z.string(), s: z.number().int() });

export const HistoryPageSchema = z
  .object({
    items: z.array(
      z
        .object({
          user: z.string(),
          userId: z.string(),
          enteredAt: Time,
          exitedAt: Time.nullable().describe('null while the person is a member'),
          holdout: z.boolean().describe('In the holdout: a member never exported'),
        })
        .openapi('SavedAudienceStint'),
    ),
    nextCursor: z.string().optional(),
  })
  .openapi('SavedAudienceHistory');

export const OutcomeQuery = z.object({
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Count purchases after this instant, by the people who were members then (default: the first export)'),
});

const Group = z
  .object({
    people: z.number().int().describe('Members at `since` (consenting now)'),
    buyers: z.number().int().describe('Of them, people with at least one purchase after `since`'),
    purchases: z.number().int(),
    revenue: z.number().describe("Sum of the purchases' amounts"),
  })
  .openapi('OutcomeGroup');

const IntervalSchema = z.object({ estimate: z.number(), low: z.number(), high: z.number() }).nullable().openapi('OutcomeInterval');

export const OutcomeSchema = z
  .object({
    audienceId: z.string(),
    since: Time,
    asOf: Time,
    holdoutPercent: z.number(),
    treated: Group.describe('Members outside the holdout: exported'),
    holdout: Group.describe('Members in the holdout: never exported'),
    treatedRate: z.number().nullable(),
    holdoutRate: z.number().nullable(),
    difference: IntervalSchema.describe(
      'treatedRate − holdoutRate with its 95% interval (Newcombe hybrid score); null when a group is empty',
    ),
    relativeLift: IntervalSchema.describe(
      'treatedRate / holdoutRate − 1 with its 95% interval (Katz log); null without buyers in both groups',
    ),
    method: z.literal('newcombe-wilson'),
    confidence: z.number(),
  })
  .openapi('AudienceOutcome');

// ---- destinations -------------------------------------------------------------------------------------------------

export const CreateDestinationBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2000)
      .describe('Where deliveries are POSTed. Private and loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS'),
    name: Name.optional(),
  })
  .strict()
  .openapi('CreateDestination');

const DeliverySummarySchema = z
  .object({
    id: z.string().describe('Also the `webhook-id` and `Idempotency-Key` of every attempt'),
    state: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    events: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: Time,
    deliveredAt: Time.nullable(),
    nextAttemptAt: Time.nullable(),
  })
  .openapi('DeliverySummary');

export const DestinationSchema = z
  .object({
    id: z.string(),
    audienceId: z.string(),
    name: z.string().nullable(),
    url: z.string(),
    createdAt: Time,
    backfilled: z.boolean().describe('The members it missed (they were in before it was added) are queued for it'),
    queued: z.number().int().describe('Events waiting for a delivery'),
    lastDelivery: DeliverySummarySchema.nullable(),
  })
  .openapi('Destination');

export const CreatedDestinationSchema = DestinationSchema.extend({
  secret: z.string().describe('Signing secret (Standard Webhooks `whsec_…`): shown this once, stored encrypted'),
}).openapi('CreatedDestination');

export const DestinationListSchema = z.object({ items: z.array(DestinationSchema) }).openapi('DestinationList');

export const DeliveryLogSchema = z
  .object({
    items: z.array(
      DeliverySummarySchema.extend({
        sent: z.number().int().describe('Events in the attempt that succeeded'),
        dropped: z.number().int().describe('Events left out because their person withdrew consent or was erased'),
        lastAttemptAt: Time.nullable(),
      }).openapi('Delivery'),
    ),
    nextCursor: z.string().optional(),
  })
  .openapi('DeliveryLog');
