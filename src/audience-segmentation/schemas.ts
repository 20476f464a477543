import { z } from 'zod';
import { pageQuery } from '../api/http.js';
import { BoundedRule } from '../affinity/schemas.js';
import { UserRef } from '../users/user-schemas.js';
import { RunParamsBody, RunStatusSchema, SegmentSchema } from '../segmentation/schemas.js';

/** Members an audience may have: the people its segmentation streams into the worker. */
export const MAX_AUDIENCE_USERS = 200_000;
/** Fewer people hold no structure worth a run. */
export const MIN_AUDIENCE_USERS = 10;
/** References one request may upload (larger audiences: rules). */
export const MAX_UPLOADED_REFS = 50_000;

export const AudienceDefinition = z
  .union([
    z.object({ where: BoundedRule.describe('An audience rule, as in POST /v1/audiences/query') }).strict(),
    z
      .object({
        savedAudienceId: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .describe('A saved audience (POST /v1/audiences): its members outside the holdout'),
      })
      .strict(),
    z
      .object({
        users: z.array(UserRef).min(1).max(MAX_UPLOADED_REFS).describe('User references (`<source>:<externalId>` or user ids)'),
      })
      .strict(),
  ])
  .openapi('AudienceDefinition');

const AudienceRunParamsBody = RunParamsBody.omit({ publish: true, relatedPerTopic: true }).openapi('AudienceSegmentationRunParams');

export const AudienceSegmentationBody = z
  .object({
    audience: AudienceDefinition,
    params: AudienceRunParamsBody.optional().describe(
      'Run parameters, as for POST /v1/segmentation/runs (an audience run is never published and links no topics: no `publish`, no `relatedPerTopic`)',
    ),
  })
  .strict()
  .openapi('AudienceSegmentationInput');

export const AudienceSegmentationAccepted = z
  .object({
    id: z.string(),
    status: RunStatusSchema,
    kind: z.literal('audience'),
    users: z.number().int().describe('Members found (consent is checked when the run reads them)'),
    unresolved: z.array(z.string()).describe('Uploaded references that name nobody (at most 100 listed)'),
    unresolvedCount: z.number().int(),
  })
  .openapi('AudienceSegmentationAccepted');

export const AudienceSegmentationSchema = z
  .object({
    id: z.string(),
    status: RunStatusSchema,
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    error: z.string().optional(),
    audience: z.record(z.string(), z.unknown()).describe('The definition it was queued with and its size'),
    metrics: z.record(z.string(), z.unknown()).optional(),
    segments: z.array(SegmentSchema).describe("The audience's own coarse segments (empty until it has succeeded)"),
  })
  .openapi('AudienceSegmentation');

export const AudienceRunParams = z.object({ id: z.string().min(1).max(200) });
export const AudienceSegmentParams = z.object({ id: z.string().min(1).max(200), segmentId: z.string().min(1).max(200) });
export const AudienceTopicsQuery = pageQuery;
