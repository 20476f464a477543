import { z } from 'zod';
import { RunParamsBody } from '../segmentation/schemas.js';

const RunRequestSchema = RunParamsBody.omit({ asOf: true }).describe(
  'What each run the policy starts asks for: the parameters of POST /v1/segmentation/runs (publish, halfLifeDays, ...); ' +
    'asOf is when the run is queued',
);

export const RefreshPolicyBody = z
  .object({
    schedule: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .nullable()
      .describe('Cron expression (croner: 5 fields, or 6 with seconds first), e.g. "0 3 * * *"; null: no scheduled runs'),
    timezone: z.string().trim().min(1).max(100).nullable().optional().describe('IANA time zone of the schedule (default UTC)'),
    driftThreshold: z
      .number()
      .gt(0)
      .max(1)
      .nullable()
      .describe('Start a run once this share of people changed interests since the visible run started (0.05 = 5%); null: off'),
    run: RunRequestSchema.optional(),
  })
  .strict()
  .openapi('RefreshPolicyUpdate');

export const RefreshPolicySchema = z
  .object({
    schedule: z.string().nullable(),
    timezone: z.string().nullable(),
    driftThreshold: z.number().nullable(),
    run: z.record(z.string(), z.unknown()).describe('What each triggered run asks for'),
    updatedAt: z.string().nullable(),
    nextRunAt: z.string().nullable().describe('Next scheduled run (null: no schedule)'),
    drift: z
      .object({
        since: z.string().describe('When the visible run started'),
        people: z.number().int(),
        changed: z.number().int().describe('People whose interests changed since'),
        share: z.number(),
      })
      .nullable()
      .describe('Null before the first visible run'),
    lastTrigger: z.enum(['schedule', 'drift']).nullable(),
    lastTriggeredAt: z.string().nullable(),
    lastRunId: z.string().nullable().describe('The last run the policy started'),
    lastSkipped: z.string().nullable().describe('Why the last trigger started no run (a run was already in progress)'),
  })
  .openapi('RefreshPolicy');
